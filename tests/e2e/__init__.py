"""Browser tests: helpers that check every page a test visits.

Fixtures (in conftest.py): `live_server` serves the app under test, `page` is a fresh
Chromium tab pointed at it. Import the helpers from here:

    from tests.e2e import check_after, tab_to, visit

    @pytest.mark.browser
    def test_something(page, user):
        visit(page, "/account/sign-in")              # navigate, then axe + CSP checks
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        check_after(page, lambda: page.get_by_role("button", name="Sign in").click())
        tab_to(page, "Sign out")                     # Tab until focused, visible focus at each stop

`visit` and `check_after` run axe-core on the page they land on and fail on any WCAG 2.2 A/AA
violation, on Content-Security-Policy violations, on uncaught JavaScript errors and on
exceptions raised by the app while serving the test.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page, Response

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The app's CSP (script-src 'self') blocks the inline <script> that
# page.add_script_tag(path=...) creates. Rather than turning CSP off for the whole
# context (bypass_csp=True would hide the app's own CSP violations from these tests), the
# context answers this one same-origin URL from node_modules via page.route, and axe is
# added as an ordinary <script src>, which script-src 'self' allows. CSP stays enforced.
AXE_PATH = "/__e2e__/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Per-page record of what went wrong outside the test's own assertions.
_problems: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_prepared: weakref.WeakSet = weakref.WeakSet()
_servers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # context -> live server


# -- setting up a context --------------------------------------------------------------


def prepare(context: BrowserContext, live_server=None) -> None:
    """Serve axe to `context`, watch its pages for problems, sync with the test's session.

    The `page` fixture does this; call it yourself for any extra context a test creates.
    """
    if context in _prepared:
        return
    _prepared.add(context)
    if live_server is not None:
        _servers[context] = live_server
        # Registered first, so the axe route below takes precedence for its own URL.
        context.route(f"{live_server.url}/**", live_server.handle_route)
    context.route(f"**{AXE_PATH}", _serve_axe)
    context.on("page", watch)
    for page in context.pages:
        watch(page)


def _serve_axe(route) -> None:
    if not AXE_SOURCE.is_file():
        route.fulfill(status=404, body="axe-core is not installed")
        return
    route.fulfill(
        status=200,
        content_type="text/javascript; charset=utf-8",
        body=AXE_SOURCE.read_text(encoding="utf-8"),
    )


def watch(page: Page) -> None:
    """Record CSP violations and uncaught JavaScript errors on `page`."""
    if page in _problems:
        return
    problems: list[str] = []
    _problems[page] = problems

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation: {message.text}")

    def on_page_error(error) -> None:
        problems.append(f"Uncaught JavaScript error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)


# -- checking pages --------------------------------------------------------------------


def visit(page: Page, path: str, *, status: int = 200) -> Response:
    """Go to `path` (relative to the live server), expect `status`, then check the page."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    check_page(page)
    return response


goto_and_check = visit


def check_after(page: Page, action: Callable[[], object], *, status: int = 200) -> Response:
    """Run `action` (a click or key press that loads a page), then check the new page.

    `status` is that of the page finally shown, after any redirect.
    """
    with page.expect_navigation() as navigation:
        action()
    response = navigation.value
    assert response is not None, f"no response after the action on {page.url}"
    assert response.status == status, (
        f"{response.url} answered {response.status}, expected {status}"
    )
    check_page(page)
    return response


def check_page(page: Page) -> None:
    """Fail on CSP violations, JavaScript or server errors so far, then run axe."""
    problems = _problems.get(page, [])
    found = list(problems)
    problems.clear()
    server = _servers.get(page.context)
    if server is not None:
        found.extend(server.take_errors())
    if found:
        raise AssertionError(f"Problems on {page.url}:\n" + "\n".join(found))
    axe_check(page)


def axe_check(page: Page, *, tags: list[str] | None = None) -> None:
    """Run axe-core on the current page; fail listing every WCAG violation it reports."""
    _load_axe(page)
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : t),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        tags or AXE_TAGS,
    )
    if violations:
        raise AssertionError(format_violations(page.url, violations))


def format_violations(url: str, violations: list[dict]) -> str:
    """A readable report: rule, impact, help and each failing element."""
    lines = [f"axe found {len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {', '.join(node['target'])}: {node['html'][:160]}")
            for detail in (node.get("summary") or "").splitlines():
                if detail.strip():
                    lines.append(f"        {detail.strip()}")
    return "\n".join(lines)


def _load_axe(page: Page) -> None:
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    if not AXE_SOURCE.is_file():
        raise AssertionError(
            f"{AXE_SOURCE.relative_to(ROOT)} is missing: run `npm ci` in the project root "
            "(`make test` does it)"
        )
    prepare(page.context)  # for a context the fixtures did not make
    page.add_script_tag(url=AXE_PATH)


# -- keyboard and focus ----------------------------------------------------------------

# Functions evaluated in the page. Page scripts are not involved: Playwright's evaluate
# is not subject to the page's CSP.
_FOCUS_LIB = r"""
const STYLE_PROPS = ['outlineStyle', 'outlineWidth', 'outlineColor', 'outlineOffset',
  'boxShadow', 'backgroundColor', 'borderTopColor', 'borderRightColor',
  'borderBottomColor', 'borderLeftColor', 'borderTopWidth', 'borderRightWidth',
  'borderBottomWidth', 'borderLeftWidth', 'color', 'textDecorationLine'];
const FOCUSABLE = 'a[href], area[href], button, input, select, textarea, summary, iframe, '
  + '[tabindex], [contenteditable]';
const clean = (t) => (t || '').replace(/\s+/g, ' ').trim();
const styleOf = (el) => {
  const s = getComputedStyle(el);
  return Object.fromEntries(STYLE_PROPS.map((p) => [p, s[p]]));
};
const alpha = (colour) => {
  if (colour === 'transparent') return 0;
  const m = /\(([^)]*)\)/.exec(colour);
  if (!m) return 1;
  const parts = m[1].split(/[\s,\/]+/).filter(Boolean);
  return parts.length > 3 ? parseFloat(parts[3]) : 1;
};
const outlineVisible = (s) =>
  s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && alpha(s.outlineColor) > 0;
const nameOf = (el) => {
  if (el.hasAttribute('aria-labelledby')) {
    return clean(el.getAttribute('aria-labelledby').split(/\s+/)
      .map((id) => (document.getElementById(id) || {}).textContent || '').join(' '));
  }
  if (el.hasAttribute('aria-label')) return clean(el.getAttribute('aria-label'));
  if (el.labels && el.labels.length) {
    return clean([...el.labels].map((label) => label.textContent).join(' '));
  }
  if (el instanceof HTMLInputElement && ['submit', 'button', 'reset'].includes(el.type)) {
    return clean(el.value);
  }
  return clean(el.innerText || el.textContent) || clean(el.getAttribute('title'));
};
const describe = (el) => {
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  if (el.getAttribute('type')) d += `[type=${el.getAttribute('type')}]`;
  const name = nameOf(el);
  if (name) d += ` "${name.length > 60 ? name.slice(0, 57) + '...' : name}"`;
  return d;
};
const matches = (el, target) => {
  if (target === null) return false;
  if (nameOf(el) === target) return true;
  try { return el.matches(target); } catch (e) { return false; }
};
const snapshot = () => {
  const saved = new WeakMap();
  for (const el of document.querySelectorAll(FOCUSABLE)) {
    if (el !== document.activeElement) saved.set(el, styleOf(el));
  }
  window.__signpostUnfocused = saved;
};
const focusReport = (target) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {focused: false, description: 'nothing (the document body)', matched: false};
  }
  const focused = styleOf(el);
  const saved = window.__signpostUnfocused && window.__signpostUnfocused.get(el);
  let unfocused = saved;
  if (!unfocused) {
    // Not seen unfocused yet: look at it unfocused for a moment, then give focus back.
    el.blur();
    unfocused = styleOf(el);
    el.focus({preventScroll: true});
  }
  const changes = [];
  const outlineKeys = ['outlineStyle', 'outlineWidth', 'outlineColor', 'outlineOffset'];
  if (outlineVisible(focused)
      && !(outlineVisible(unfocused) && outlineKeys.every((k) => focused[k] === unfocused[k]))) {
    changes.push('outline');
  }
  if (focused.boxShadow !== unfocused.boxShadow && focused.boxShadow !== 'none') {
    changes.push('box-shadow');
  }
  if (focused.backgroundColor !== unfocused.backgroundColor
      && alpha(focused.backgroundColor) > 0) {
    changes.push('background');
  }
  if (STYLE_PROPS.filter((k) => k.startsWith('border')).some((k) => focused[k] !== unfocused[k])) {
    changes.push('border');
  }
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
    && r.left < window.innerWidth && r.top < window.innerHeight
    && s.visibility !== 'hidden' && parseFloat(s.opacity) > 0;
  return {
    focused: true, description: describe(el), matched: matches(el, target), changes,
    onScreen, rect: {x: r.x, y: r.y, width: r.width, height: r.height},
    focusVisible: el.matches(':focus-visible'), focusedStyle: focused, unfocusedStyle: unfocused,
  };
};
"""


def _focus_report(page: Page, target: str | None = None) -> dict:
    return page.evaluate(f"(target) => {{ {_FOCUS_LIB}; return focusReport(target); }}", target)


def _focus_problem(report: dict) -> str | None:
    """Why the focused element's focus is not visible, or None when it is."""
    if not report["focused"]:
        return "nothing has keyboard focus"
    where = report["description"]
    if not report["onScreen"]:
        return f"{where} has focus but is not on screen (box {report['rect']})"
    if not report["changes"]:
        focused, unfocused = report["focusedStyle"], report["unfocusedStyle"]
        differing = {k: (unfocused[k], focused[k]) for k in focused if focused[k] != unfocused[k]}
        return (
            f"{where} shows no visible focus indicator: no outline, box-shadow, background "
            f"or border change when focused (properties that change, unfocused -> focused: "
            f"{differing or 'none'})"
        )
    return None


def assert_focus_visible(page: Page) -> dict:
    """The focused element is on screen and looks different from when it is not focused.

    Compares its computed outline, box-shadow, background and border with its unfocused
    style (seen before `tab_to` moved focus to it, or by blurring it for a moment).
    Returns the report: description, changes, rect and both styles.
    """
    report = _focus_report(page)
    problem = _focus_problem(report)
    if problem:
        raise AssertionError(f"On {page.url}: {problem}")
    return report


def focused(page: Page) -> str:
    """A short description of the focused element, e.g. 'input#email "Email address"'."""
    return _focus_report(page)["description"]


def tab_to(
    page: Page,
    target: str | Locator,
    *,
    max_presses: int = 30,
    backwards: bool = False,
    check_focus: bool = True,
) -> list[str]:
    """Press Tab (Shift+Tab when `backwards`) until `target` has focus.

    `target` is a Locator, an accessible name ("Sign out", "Email address") or a CSS
    selector ("#email"). Fails if it is not reached within `max_presses`, or (with
    `check_focus`) if any element focused on the way has no visible focus indicator.
    Returns the descriptions of the elements focused, in order.
    """
    key = "Shift+Tab" if backwards else "Tab"
    name = target if isinstance(target, str) else None
    page.evaluate(f"() => {{ {_FOCUS_LIB}; snapshot(); }}")
    stops: list[str] = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        report = _focus_report(page, name)
        stops.append(report["description"])
        if check_focus:
            problem = _focus_problem(report)
            if problem:
                raise AssertionError(
                    f"On {page.url}, Tab stop {len(stops)}: {problem}\nTab order so far: "
                    + " -> ".join(stops)
                )
        if name is not None:
            reached = report["matched"]
        else:
            reached = target.evaluate_all("(els) => els.includes(document.activeElement)")
        if reached:
            return stops
    raise AssertionError(
        f"On {page.url}, {target!r} was not reached in {max_presses} presses of {key}.\n"
        "Tab order: " + " -> ".join(stops)
    )


# -- layout ------------------------------------------------------------------------------


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the viewport's width (WCAG 1.4.10 Reflow)."""
    width = page.viewport_size["width"] if page.viewport_size else None
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    limit = width if width is not None else client_width
    assert scroll_width <= limit, (
        f"{page.url} scrolls sideways at {limit}px wide: the page is {scroll_width}px wide"
    )
