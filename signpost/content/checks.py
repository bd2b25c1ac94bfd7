"""Checks on the Markdown inside content files: unsafe HTML, links and images."""

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from signpost.content.problems import Problems
from signpost.content.render import is_relative, parse

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
