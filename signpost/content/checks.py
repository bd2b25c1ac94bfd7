"""Checks on the text inside content files: unsafe HTML, links, images, local details and
wording that depends on where an option is shown."""

import posixpath
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from signpost.content.problems import Problems
from signpost.content.render import is_relative, parse
from signpost.content.sources import ContentTree, QuizSource, ScenarioSource
from signpost.local_details import KEYS, PLACEHOLDER

UNSAFE_HTML = [
    (re.compile(r"<\s*script\b", re.I), "raw HTML <script> is not allowed"),
    (
        re.compile(r"<\s*(iframe|object|embed|form|frame|frameset|applet|base|meta|link)\b", re.I),
        "raw HTML <{0}> is not allowed",
    ),
    (re.compile(r"<\s*style\b|\sstyle\s*=", re.I), "inline styles are not allowed"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "HTML event handlers (on...=) are not allowed"),
    (re.compile(r"\b(javascript|vbscript|data)\s*:", re.I), "'{0}:' links are not allowed"),
]
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
# markdown-it leaves a link to such a scheme as plain text; the check still reports it.
UNLINKED_SCHEME = re.compile(r"(?:\]\(|\]:|<)\s*<?\s*(javascript|vbscript|data|file)\s*:", re.I)


# Anything that starts like a placeholder (one or two braces, spaces, any case) must be one.
PLACEHOLDER_START = re.compile(r"\{\{?\s*local\b", re.IGNORECASE)
# Options and choices are shown in a shuffled order, so these point at nothing.
POSITION_WORDS = re.compile(
    r"(?i:\b(?:all|none|both|neither|either|any) of the above\b"
    r"|\b(?:options?|answers?|choices?) (?:above|below)\b"
    r"|\bas (?:above|below)\b"
    r"|\bthe (?:first|second|third|fourth|fifth|last|previous|next|other) "
    r"(?:options?|answers?|choices?)\b)"
    # "option B", "answer (c)": a capital letter or one in brackets, not "answer a question".
    r"|\b(?i:options?|answers?|choices?) (?:[A-E]|\([a-eA-E]\))(?![\w'])"
)


@dataclass
class LinkContext:
    """What a link in one file may point to."""

    root: Path  # the content folder
    folder: str  # the file's folder, relative to root, posix style
    lessons: set[str]  # every lesson file, relative to root
    files: set[str]  # every other file, relative to root


def check_markdown(
    path: Path, first_line: int, text: str, links: LinkContext, problems: Problems
) -> None:
    """Record unsafe HTML, broken links and missing images in a Markdown text."""
    if not text:
        return
    for token in parse(text):
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "html_block":
            _check_html(path, line, token.content, problems)
        for child in token.children or []:
            # Inline tokens have no line of their own: count the line breaks before them.
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "text":
                for match in UNLINKED_SCHEME.finditer(child.content):
                    problems.add(path, line, f"'{match.group(1).lower()}:' links are not allowed")
            elif child.type == "html_inline":
                _check_html(path, line, child.content, problems)
                line += child.content.count("\n")
            elif child.type == "link_open":
                _check_link(path, line, child.attrGet("href") or "", links, problems)
            elif child.type == "image":
                _check_image(path, line, child, links, problems)


def _check_html(path: Path, line: int, html: str, problems: Problems) -> None:
    # The whole text at once: an attribute may start a line (`<span\nonclick=...>`).
    for pattern, message in UNSAFE_HTML:
        for match in pattern.finditer(html):
            detail = match.group(1).lower() if match.groups() else ""
            where = line + html.count("\n", 0, match.end() - 1)
            problems.add(path, where, message.format(detail))


def _target(url: str, links: LinkContext) -> str:
    path = url.partition("#")[0]
    return posixpath.normpath(posixpath.join(links.folder, path))


def _check_link(path: Path, line: int, url: str, links: LinkContext, problems: Problems) -> None:
    lowered = url.strip().lower()
    if lowered.startswith(BAD_SCHEMES):
        problems.add(path, line, f"'{lowered.split(':')[0]}:' links are not allowed")
        return
    if not is_relative(url):
        return
    target = _target(url, links)
    if target.endswith(".md"):
        if target not in links.lessons:
            problems.add(path, line, f"broken link: no lesson '{url}'")
    elif target not in links.files:
        problems.add(path, line, f"broken link: no file '{url}'")
    elif not target.startswith(f"{links.folder}/"):
        # Only a module's own files get an address when it is rendered.
        problems.add(path, line, f"'{url}' is another module's file: link to its lesson instead")


def _check_image(path: Path, line: int, token, links: LinkContext, problems: Problems) -> None:
    src = token.attrGet("src") or ""
    alt = "".join(child.content for child in token.children or []).strip()
    if not alt:
        problems.add(path, line, f"image '{src}' needs alt text: ![what it shows]({src})")
    if src.strip().lower().startswith(BAD_SCHEMES):
        problems.add(path, line, f"image '{src}' uses a scheme that is not allowed")
    elif not is_relative(src):
        problems.add(path, line, f"image '{src}' must be a file in the module's images/ folder")
    elif _target(src, links) not in links.files:
        problems.add(path, line, f"missing image: '{src}' does not exist")
    elif not _target(src, links).startswith(f"{links.folder}/"):
        # Only a module's own images get an address when it is rendered.
        problems.add(path, line, f"image '{src}' must be in this module's images/ folder")


def check_placeholders(path: Path, first_line: int, text: str, problems: Problems) -> None:
    """Record unknown local details and malformed `{{local.KEY}}` placeholders in a text."""
    for start in PLACEHOLDER_START.finditer(text or ""):
        line = first_line + text.count("\n", 0, start.start())
        match = PLACEHOLDER.match(text, start.start())
        if match is None:
            shown = text[start.start() :].split("\n")[0]
            shown = shown[: shown.find("}}") + 2] if "}}" in shown else shown[:40]
            problems.add(
                path,
                line,
                f"malformed local detail '{shown}': write {{{{local.key}}}} or "
                "{{local.key|text shown when it is not set}}, with a lower-case key",
            )
        elif match.group(1) not in KEYS:
            problems.add(
                path,
                line,
                f"unknown local detail '{match.group(1)}' (known: {', '.join(KEYS)})",
            )


def check_position_words(path: Path, line: int, text: str, problems: Problems) -> None:
    """Record wording in an option or choice that relies on its place in the list."""
    for match in POSITION_WORDS.finditer(text or ""):
        where = line + text.count("\n", 0, match.start())
        problems.add(
            path,
            where,
            f"'{match.group(0)}' depends on the order options are listed in, but learners see "
            "them shuffled: say what you mean instead",
        )


def _check_with(path, line, text, *, context, problems) -> None:
    check_markdown(path, line, text, context, problems)
    check_placeholders(path, line, text, problems)


def _check_plain(path, line: int, texts, problems) -> None:
    """Placeholders in front-matter text a learner sees: one item a line from `line`."""
    for offset, text in enumerate([texts] if isinstance(texts, str) else texts or []):
        check_placeholders(path, line + offset, text, problems)


def check_tree_texts(tree: ContentTree, problems: Problems) -> None:
    """Check every text a learner sees: Markdown, links, placeholders, option wording."""
    lessons = {
        lesson.path.relative_to(tree.root).as_posix() for m in tree.modules for lesson in m.lessons
    }
    files = {f"{m.slug}/{asset}" for m in tree.modules for asset in m.assets}
    for course in tree.courses:
        context = LinkContext(tree.root, "courses", lessons, files)
        _check_with(course.path, course.body_line, course.body, context=context, problems=problems)
        for key in ("title", "summary", "confidence"):
            _check_plain(course.path, course.lines.get(key, 1), getattr(course, key), problems)
    for module in tree.modules:
        context = LinkContext(tree.root, module.slug, lessons, files)
        check = partial(_check_with, context=context, problems=problems)
        module_file = module.path / "module.md"
        check(module_file, module.intro_line, module.intro)
        for key in ("title", "summary", "audience", "outcomes", "content_note"):
            _check_plain(module_file, module.lines.get(key, 1), getattr(module, key), problems)
        for lesson in module.lessons:
            check(lesson.path, lesson.body_line, lesson.body)
        if module.quiz:
            _check_quiz(module.quiz, check, problems)
        for scenario in module.scenarios:
            _check_scenario(scenario, check, problems)


def _check_quiz(quiz: QuizSource, check, problems: Problems) -> None:
    _check_plain(quiz.path, quiz.title_line, quiz.title, problems)
    for q in quiz.questions:
        check(quiz.path, q.stem_line or q.line, q.stem)
        check(quiz.path, q.explanation_line or q.line, q.explanation)
        for option in q.options:
            check(quiz.path, option.line, option.text)
            check(quiz.path, option.feedback_line or option.line, option.feedback)
            check_position_words(quiz.path, option.line, option.text, problems)
            check_position_words(quiz.path, option.feedback_line, option.feedback, problems)


def _check_scenario(scenario: ScenarioSource, check, problems: Problems) -> None:
    for key in ("title", "summary", "role"):
        text = getattr(scenario, key) or ""
        _check_plain(scenario.path, scenario.lines.get(key, 1), text, problems)
    for node in scenario.nodes:
        check(scenario.path, node.narrative_line or node.line, node.narrative)
        check(scenario.path, node.debrief_line or node.line, node.debrief)
        for choice in node.choices:
            check(scenario.path, choice.line, choice.text)
            check(scenario.path, choice.feedback_line or choice.line, choice.feedback)
            check_position_words(scenario.path, choice.line, choice.text, problems)
            check_position_words(scenario.path, choice.feedback_line, choice.feedback, problems)
