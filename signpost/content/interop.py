"""What the GIFT and Twee converters share: reading uploads, ids, and safe Markdown."""

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from signpost.content.checks import LinkContext, check_markdown
from signpost.content.interop_html import escape_inline, escape_start, html_to_markdown
from signpost.content.problems import Problem, Problems
from signpost.content.render import parse, render

MAX_BYTES = 1024 * 1024  # 1 MiB: far more than any real quiz or story, small enough to parse fast
_HTML_TOKENS = {"html_block", "html_inline"}


class ConversionError(Exception):
    """An uploaded file that cannot be read at all: too big, binary, or not UTF-8."""

    def __init__(self, name: str, message: str, line: int = 0):
        super().__init__(f"{name}:{line}: {message}" if line else f"{name}: {message}")
        self.name = name
        self.line = line
        self.message = message


class Issue(NamedTuple):
    """A line of the imported file and what is wrong, or worth knowing, there."""

    line: int
    message: str


class Dropped(NamedTuple):
    """Something in a Twine story that Signpost does not import: where, which passage, what, why."""

    line: int
    passage: str
    what: str
    why: str


def as_problems(path: str, issues: list[Issue]) -> list[Problem]:
    """Issues as Signpost problems, so they print as `file:line: message`."""
    return [Problem(Path(path), max(1, line), message) for line, message in issues]


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count / 1024:.0f} KB"


def read_text(data: bytes, name: str, limit: int = MAX_BYTES) -> str:
    """Uploaded bytes as text with '\\n' line ends; ConversionError if too big or not text."""
    if len(data) > limit:
        raise ConversionError(name, f"the file is {_size(len(data))}; the limit is {_size(limit)}")
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise ConversionError(name, "the file contains a NUL byte: is it really a text file?", line)
    try:
        text = bytes(data).decode("utf-8-sig")  # a byte order mark is allowed, and dropped
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConversionError(
            name, "the file is not UTF-8 text: save it as UTF-8 and try again", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case letters, digits and hyphens from any text ('' if none are left)."""
    text = re.sub(r"['\u2019]", "", unicodedata.normalize("NFKD", text))
    slug = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode().lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug


class Ids:
    """Hands out ids that are valid slugs and unique within one quiz or scenario."""

    def __init__(self):
        self.used: set[str] = set()

    def take(self, wanted: str, fallback: str) -> str:
        """The slug of `wanted` (or `fallback`), with -2, -3... added if it is taken."""
        base = slugify(wanted) or fallback
        key, number = base, 2
        while key in self.used:
            key, number = f"{base}-{number}", number + 1
        self.used.add(key)
        return key


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that shows exactly that text: blank lines part paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(
        "\\\n".join(escape_start(escape_inline(line.strip())) for line in p.split("\n") if line)
        for p in paragraphs
        if p.strip()
    )


def has_html(markdown: str) -> bool:
    """True if a Markdown text holds raw HTML (which markdown-it would pass through)."""
    if "<" not in markdown:  # parsing is the slow part; without a '<' there is no HTML
        return False
    stack = list(parse(markdown))
    while stack:
        token = stack.pop()
        if token.type in _HTML_TOKENS:
            return True
        stack.extend(token.children or [])
    return False


def safe_markdown(markdown: str) -> tuple[str, list[str]]:
    """Markdown as given, or, if it holds raw HTML, re-made from Signpost's sanitised rendering.

    Rendering runs markdown-it and nh3 with Signpost's allowlist, so scripts, event handlers and
    unsafe links are gone before the text is turned back into Markdown.
    """
    if not has_html(markdown):
        return markdown, []
    converted, notes = html_to_markdown(render(markdown))
    return converted, ["raw HTML was sanitised and turned into Markdown", *notes]


def flatten(markdown: str) -> str:
    """A Markdown text on one line (options, choices and feedback are one line each)."""
    return re.sub(r"\s*\\?\n\s*", " ", markdown).strip()


class _Anything(set):
    """Every path exists: links to lessons and images are checked once the draft is saved."""

    def __contains__(self, item) -> bool:
        return True


def unsafe(markdown: str) -> list[tuple[int, str]]:
    """What `content check` would refuse in a text: (line offset, message) for each problem."""
    problems = Problems()
    context = LinkContext(Path("."), "module", _Anything(), _Anything())
    check_markdown(Path("."), 1, markdown, context, problems)
    return [(p.line - 1, p.message) for p in problems.items]


def demote_headings(markdown: str) -> str:
    """`## ` starts a section in quiz and scenario files, so a level-2 heading becomes level 3."""
    return re.sub(r"(?m)^##(?=\s)", "###", markdown)


__all__ = [
    "MAX_BYTES",
    "ConversionError",
    "Dropped",
    "Ids",
    "Issue",
    "as_problems",
    "demote_headings",
    "flatten",
    "html_to_markdown",
    "plain_to_markdown",
    "read_text",
    "safe_markdown",
    "slugify",
    "unsafe",
]
