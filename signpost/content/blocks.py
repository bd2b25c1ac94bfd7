"""Line-by-line parsing of quiz and scenario bodies, which keeps line numbers."""

import re
from dataclasses import dataclass
from pathlib import Path

from signpost.content.problems import Problems

SETTING_RE = re.compile(r"^([a-z_]+):\s*(.*)$")


@dataclass
class Section:
    """A `## Kind: id` heading and the lines under it."""

    kind: str
    key: str
    line: int
    lines: list[tuple[int, str]]


def split_sections(
    path: Path, body: str, first_line: int, kinds: dict[str, str], problems: Problems
) -> list[Section]:
    """Split a body at `## Kind: id` headings; `kinds` maps heading word to section kind."""
    sections: list[Section] = []
    heading = re.compile(r"^##\s+(\w+)\s*:\s*(\S*)\s*$")
    for number, line in enumerate(body.splitlines(), start=first_line):
        match = heading.match(line)
        if match and match.group(1) in kinds:
            key = match.group(2)
            if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", key):
                problems.add(
                    path,
                    number,
                    f"'{key}' is not a valid id: use lower-case letters, digits, hyphens",
                )
            sections.append(Section(kinds[match.group(1)], key, number, []))
        elif line.startswith("## "):
            expected = " or ".join(f"'## {word}: id'" for word in kinds)
            problems.add(path, number, f"unknown section heading; expected {expected}")
        elif sections:
            sections[-1].lines.append((number, line))
        elif line.strip():
            expected = " or ".join(f"'## {word}: id'" for word in kinds)
            problems.add(path, number, f"text before the first section; start with {expected}")
    return sections


def take_settings(lines: list[tuple[int, str]], allowed: set[str]) -> tuple[dict, list]:
    """Leading `name: value` lines right under a heading, and the rest of the lines."""
    settings: dict[str, tuple[int, str]] = {}
    index = 0
    while index < len(lines) and not lines[index][1].strip():
        index += 1
    while index < len(lines):
        number, line = lines[index]
        match = SETTING_RE.match(line)
        if not match or match.group(1) not in allowed:
            break
        settings[match.group(1)] = (number, match.group(2).strip())
        index += 1
    return settings, lines[index:]


def join(lines: list[tuple[int, str]]) -> str:
    """The text of some numbered lines, without leading or trailing blank lines."""
    return "\n".join(text for _, text in lines).strip("\n")


def starts_on(lines: list[tuple[int, str]], default: int) -> int:
    """The line number the text from `join(lines)` starts on, or `default` if it is empty."""
    return next((number for number, text in lines if text), default)


def dedent_continuation(text: str) -> str:
    """An indented continuation line, without its indent."""
    return text[2:] if text.startswith("  ") else text.lstrip()
