"""The lexical layer of GIFT: lines, comments, blank-line blocks, escapes and [formats]."""

import bisect
import re
from dataclasses import dataclass

from signpost.content.interop import Issue

# Escaped characters become private-use placeholders while the structure is read (as Moodle
# does with its "&&058;" placeholders), and are put back in each finished piece of text.
_ESCAPES = {"\\": "\ue010", ":": "\ue011", "#": "\ue012", "=": "\ue013", "{": "\ue014"}
_ESCAPES |= {"}": "\ue015", "~": "\ue016", "n": "\ue017"}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
BLANK = "\ue018"  # where a missing-word question's answers were
FORMATS = {"moodle", "html", "plain", "markdown"}
_FORMAT_RE = re.compile(r"^\[(\w+)\]")


@dataclass
class Text:
    """One piece of a question: its text (escapes resolved) and format."""

    line: int
    text: str
    fmt: str


class Block:
    """One question's lines, joined with escapes replaced; maps offsets back to file lines."""

    def __init__(self, lines: list[tuple[int, str]], errors: list[Issue]):
        texts = [_unescape(number, line, errors) for number, line in lines]
        self.text = "\n".join(texts)
        self.numbers = [number for number, _ in lines]
        self.starts = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text) + 1

    def line(self, offset: int) -> int:
        """The file line an offset into the block is on."""
        return self.numbers[bisect.bisect_right(self.starts, offset) - 1]


_ESCAPE_HELP = "GIFT escapes only \\~ \\= \\# \\{ \\} \\: \\n and \\\\ (write \\\\ for a backslash)"


def _unescape(number: int, line: str, errors: list[Issue]) -> str:
    out, index = [], 0
    while index < len(line):
        char = line[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        after = line[index + 1 : index + 2]
        if after in _ESCAPES:
            out.append(_ESCAPES[after])
        else:
            what = f"unknown escape '\\{after}'" if after else "a backslash at the end of a line"
            errors.append(Issue(number, f"{what}: {_ESCAPE_HELP}"))
            out.append(after)
        index += 2
    return "".join(out)


def blocks(text: str) -> list[list[tuple[int, str]]]:
    """Questions' lines (number, text): blank lines separate them; comment lines are dropped."""
    found, current = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()  # Moodle trims every line, so indentation has no meaning
        if not stripped:
            if current:
                found.append(current)
            current = []
        elif not stripped.startswith("//"):
            current.append((number, stripped))
    if current:
        found.append(current)
    return found


def restore(text: str) -> str:
    """Placeholders back to the characters they stand for."""
    return text.translate(_RESTORE)


def with_format(line: int, raw: str, default: str) -> Text:
    """A piece of text, with its `[format]` prefix (if any) read and removed."""
    raw = raw.strip()
    match = _FORMAT_RE.match(raw)
    if match and match.group(1) in FORMATS:
        return Text(line, restore(raw[match.end() :]).strip(), match.group(1))
    return Text(line, restore(raw).strip(), default)
