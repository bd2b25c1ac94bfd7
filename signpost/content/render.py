"""Markdown to safe HTML: markdown-it-py (CommonMark, tables, footnotes), then nh3."""

import posixpath
import re
from collections.abc import Callable
from functools import cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

# Where a lesson link and a module image point once rendered. The learn blueprint serves
# these addresses; a module's lesson URL resolves to the version the learner is on.
LESSON_URL = "/learn/modules/{module}/lessons/{lesson}"
ASSET_URL = "/content/assets/{version_id}/{path}"

TAGS = set(nh3.ALLOWED_TAGS) | {"section"}
TAGS -= {"center", "strike", "tt", "acronym", "map", "area"}
ATTRIBUTES = {
    **{
        tag: set(attrs) - {"align", "char", "charoff"}
        for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
    },
    "a": {"href", "hreflang", "id", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "sup": {"id"},
    "li": {"id"},
    "section": set(),
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_CLASSES = {
    "sup": {"footnote-ref"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)


def parse(text: str):
    """markdown-it tokens for a Markdown text."""
    return _markdown().parse(text, {})


TABLE_RE = re.compile(r"<table>(.*?)</table>", re.S)


def _scrollable_tables(html: str) -> str:
    # A wide table scrolls inside its own box on a phone; the box takes keyboard focus so
    # that keyboard users can scroll it too (WCAG 2.1.1, axe "scrollable-region-focusable").
    return TABLE_RE.sub(
        r'<div class="table-wrap" role="region" tabindex="0" aria-label="Table">'
        r"<table>\1</table></div>",
        html,
    )


def sanitise(html: str) -> str:
    """Remove anything that could run script or load from elsewhere."""
    return _scrollable_tables(_clean(html))


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def is_relative(url: str) -> bool:
    """True for a link to another file of the content (not a web address or anchor)."""
    return bool(url) and ":" not in url.split("/")[0] and not url.startswith(("/", "#"))


def render(
    text: str,
    *,
    base: str = "",
    rewrite: Callable[[str], str | None] | None = None,
) -> str:
    """Render Markdown to sanitised HTML; `rewrite` maps a resolved relative path to a URL."""
    md = _markdown()
    env: dict = {}
    tokens = md.parse(text, env)
    if rewrite is not None:
        for token in _walk(tokens):
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            if attr is None:
                continue
            url = token.attrGet(attr) or ""
            if is_relative(url):
                path, _, fragment = url.partition("#")
                target = rewrite(posixpath.normpath(posixpath.join(base, path)))
                if target is not None:
                    token.attrSet(attr, target + (f"#{fragment}" if fragment else ""))
    return sanitise(md.renderer.render(tokens, md.options, env))


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def render_inline(text: str) -> str:
    """Render one line of Markdown (an option, a choice) without a wrapping paragraph."""
    return sanitise(_markdown().renderInline(text))
