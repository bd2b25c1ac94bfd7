"""Scanning passage text: line numbers, single-pass edits, brackets and `[[links]]`."""

import bisect
import re
from dataclasses import dataclass, field


@dataclass
class Link:
    """A `[[...]]` link: where it is, the text the learner sees, and the passage it leads to."""

    line: int
    text: str
    target: str


@dataclass
class Cleaned:
    """A passage's prose, its links, and what was dropped from it: (line, what, why)."""

    text: str
    links: list[Link] = field(default_factory=list)
    dropped: list[tuple[int, str, str]] = field(default_factory=list)
    temps: set[str] = field(default_factory=set)  # _temp variable names set by its macros


class Scan:
    """Text being cleaned, with the line each offset is on.

    Every step scans the text once and then applies all its edits in one go, so that even a
    hostile 1 MB passage is cleaned in linear time.
    """

    def __init__(self, text: str, first_line: int):
        self.text = text
        self.first = first_line
        self.out = Cleaned("")
        self.reindex()

    def reindex(self) -> None:
        """Work out where each line starts (after the text changed)."""
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line(self, offset: int) -> int:
        """The file line an offset into the current text is on."""
        return self.first + bisect.bisect_right(self.starts, offset) - 1

    def drop(self, offset: int, what: str, reason: str) -> None:
        """Record something dropped at an offset."""
        self.out.dropped.append((self.line(offset), what, reason))

    def apply(self, edits: list[tuple[int, int, str | None]]) -> None:
        """Replace spans (start, end, new text); None leaves a gap holding the span's new lines."""
        out, last = [], 0
        for start, end, keep in sorted(edits):
            if start < last:  # inside a span already removed
                continue
            out.append(self.text[last:start])
            out.append(gap(self.text.count("\n", start, end)) if keep is None else keep)
            last = end
        out.append(self.text[last:])
        self.text = "".join(out)
        self.reindex()


def gap(newlines: int) -> str:
    # What a dropped span leaves: its line breaks (so lines keep their numbers), or a space
    # (so that "[yes](else:)[no]" reads "yes no").
    return "\n" * newlines if newlines else " "


def bracket_pairs(source: str) -> dict[int, int]:
    """Each '[' and the ']' that closes it."""
    pairs, stack = {}, []
    for match in re.finditer(r"[\[\]]", source):
        if match.group() == "[":
            stack.append(match.start())
        elif stack:
            pairs[stack.pop()] = match.start()
    return pairs


def split_link(inner: str) -> tuple[str, str]:
    """(text, target) of a link's inside, read as Twine 2 reads it."""
    # Twine: the rightmost '->', else the leftmost '<-', else the rightmost '|'.
    if "->" in inner:
        text, _, target = inner.rpartition("->")
    elif "<-" in inner:
        target, _, text = inner.partition("<-")
    elif "|" in inner:
        text, _, target = inner.rpartition("|")
    else:
        text = target = inner
    return text.strip(), target.strip()


def link_spans(source: str) -> list[tuple[int, int]]:
    """Where `[[...]]` links are (as Twine's /\\[\\[.*?\\]\\]/g finds them, on one line)."""
    spans, index, close = [], 0, -1
    while (start := source.find("[[", index)) >= 0:
        if close < start + 2:
            close = source.find("]]", start + 2)
        if close < 0:
            break
        newline = source.find("\n", start, close)
        if newline >= 0:
            index = newline + 1
            continue
        spans.append((start, close + 2))
        index = close + 2
    return spans
