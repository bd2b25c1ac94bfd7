"""Splitting a file into YAML front matter and a Markdown body, keeping line numbers."""

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from signpost.content.problems import Problems

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that an impossible date (2027-02-30) stays text.

    PyYAML raises a bare ValueError for one; as text, the field's check reports it.
    """

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


@dataclass
class Document:
    """A content file: its front matter, body, and where the body starts."""

    path: Path
    meta: dict
    body: str
    body_line: int  # 1-based line number of the body's first line
    meta_lines: dict  # top-level key -> 1-based line number
    front: list[str] = field(default_factory=list)  # the front matter's lines, from line 2

    def line_of(self, key: str) -> int:
        """The line a front-matter key is on, or the first line if it is missing."""
        return self.meta_lines.get(key, 1)

    def value_line(self, key: str) -> int:
        """The line a key's value starts on: the next one for a `|` or `>` block or a list."""
        line = self.line_of(key)
        if key in self.meta_lines and 0 <= line - 2 < len(self.front):
            value = self.front[line - 2].partition(":")[2].strip()
            if not value or value[0] in "|>":
                return line + 1
        return line


def read(path: Path, problems: Problems) -> Document | None:
    """Read a file; record a problem and return None if its front matter is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte order mark is allowed, and dropped
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        problems.add(path, line, "file is not valid UTF-8 text")
        return None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        problems.add(path, line, "file contains a NUL character: is it really a text file?")
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "file must start with front matter: a line '---', YAML, then '---'")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.add(path, 1, "front matter is not closed: add a line '---' after it")
        return None
    raw = "\n".join(lines[1:end])
    try:
        meta = yaml.load(raw, Loader=_Loader) or {}  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or "invalid YAML"
        problems.add(path, line, f"front matter is not valid YAML: {reason}")
        return None
    except RecursionError:
        problems.add(path, 2, "front matter is not valid YAML: it is nested too deeply")
        return None
    if not isinstance(meta, dict):
        problems.add(path, 2, "front matter must be a set of 'name: value' lines")
        return None
    meta_lines = {}
    for offset, line in enumerate(lines[1:end], start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            meta_lines.setdefault(match.group(1), offset)
    body = "\n".join(lines[end + 1 :])
    return Document(path, meta, body, end + 2, meta_lines, lines[1:end])


class Fields:
    """Typed access to front matter that records a problem for each bad field."""

    def __init__(self, doc: Document, problems: Problems, allowed: set[str]):
        self.doc = doc
        self.problems = problems
        for key in doc.meta:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self._bad(key, f"unknown front matter field '{key}' (expected one of: {hint})")

    def _bad(self, key: str, message: str) -> None:
        self.problems.add(self.doc.path, self.doc.line_of(key), message)

    def _get(self, key, required):
        value = self.doc.meta.get(key)
        if value is None or value == "":
            if required:
                self._bad(key, f"missing required field '{key}'")
            return None
        return value

    def text(self, key: str, required: bool = True, default: str | None = None) -> str | None:
        """A non-empty string."""
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self._bad(key, f"'{key}' must be text")
            return default
        return str(value).strip()

    def integer(self, key, required=True, default=None, low=None, high=None) -> int | None:
        """A whole number, optionally within [low, high]."""
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._bad(key, f"'{key}' must be a whole number")
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self._bad(key, f"'{key}' must be between {low} and {high}")
            return default
        return value

    def number(self, key: str, required: bool = True, default=None, low: float = 0) -> float | None:
        """A number (whole or decimal) no lower than `low`."""
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._bad(key, f"'{key}' must be a number")
            return default
        if value < low:
            self._bad(key, f"'{key}' must be at least {low}")
            return default
        return float(value)

    def date(self, key: str, required: bool = True) -> dt.date | None:
        """A date written YYYY-MM-DD."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):  # not str(value): it could be a huge YAML alias structure
            with contextlib.suppress(ValueError):
                return dt.date.fromisoformat(value)
        self._bad(key, f"'{key}' must be a real date written YYYY-MM-DD")
        return None

    def text_list(self, key: str, required: bool = True) -> list[str]:
        """A non-empty list of strings."""
        value = self._get(key, required)
        if value is None:
            return []
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            self._bad(key, f"'{key}' must be a list of text items, one per line starting '- '")
            return []
        return [v.strip() for v in value]

    def choice(self, key: str, options: set, required: bool = True, default=None):
        """One of a fixed set of values."""
        value = self._get(key, required)
        if value is None:
            return default
        hashable = isinstance(value, str | int | float) and not isinstance(value, bool)
        if not hashable or value not in options:
            listed = ", ".join(str(o) for o in sorted(options, key=str))
            self._bad(key, f"'{key}' must be one of: {listed}")
            return default
        return value

    def mapping(self, key: str) -> dict:
        """An optional mapping (`key:` followed by indented `name: value` lines)."""
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._bad(key, f"'{key}' must be a set of indented 'name: value' lines")
            return {}
        return value
