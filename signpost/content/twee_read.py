"""Reading a Twee 3 file into passages (twine-specs, twee-3-specification.md).

A passage header is one line: `::`, the name, an optional tag block `[tag tag]` and an optional
JSON metadata block `{"position":"600,400"}`. In names and tags `\\[ \\] \\{ \\} \\\\` are escapes,
and (as the specification asks of decoders) a backslash before any character yields that
character. The content runs to the next header; trailing blank lines are ignored. Twine writes
a content line that starts with `::` as `\\:\\:`, which is read back here.
"""

import html
import json
from dataclasses import dataclass, field

import nh3

from signpost.content.interop import Issue


@dataclass
class Passage:
    """One passage: header line, name, tags and its content lines."""

    line: int
    name: str
    tags: list[str]
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The content, without trailing blank lines."""
        return "\n".join(self.lines).rstrip()

    @property
    def text_line(self) -> int:
        """The line the content starts on."""
        return self.line + 1


@dataclass
class Story:
    """Everything in a Twee file that the converter uses."""

    passages: list[Passage] = field(default_factory=list)
    title: str = ""
    data: dict = field(default_factory=dict)
    data_line: int = 0
    errors: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)


def _read_until(text: str, index: int, stops: str) -> tuple[str, int]:
    """Unescaped text up to the first unescaped character in `stops`, and where it stopped."""
    out = []
    while index < len(text) and text[index] not in stops:
        if text[index] == "\\" and index + 1 < len(text):
            index += 1
        out.append(text[index])
        index += 1
    return "".join(out), index


def parse_header(line: str) -> tuple[str, list[str], str | None] | str:
    """(name, tags, metadata JSON or None) from a header line, or a message saying what is wrong."""
    rest = line[2:]
    name, index = _read_until(rest, 0, "[]{}")
    name = name.strip()
    if not name:
        return "the passage header has no name: ':: Name [tags] {metadata}'"
    tags: list[str] = []
    if index < len(rest) and rest[index] == "[":
        inside, index = _read_until(rest, index + 1, "]")
        if index >= len(rest):
            return "the tag block is not closed: add ']' after the tags"
        tags = inside.split()
        index += 1
    while index < len(rest) and rest[index] == " ":
        index += 1
    metadata = rest[index:].strip() or None
    if metadata is not None and not metadata.startswith("{"):
        return (
            f"unexpected '{rest[index]}' in the passage header: escape [ ] {{ }} in names as "
            "\\[ \\] \\{ \\}"
        )
    return name, tags, metadata


def read_twee(text: str) -> Story:
    """The passages of a Twee file, with StoryTitle and StoryData read, and any errors."""
    story = Story()
    current: Passage | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("::"):
            current = _header(number, line, story)
            continue
        if current is None:
            if line.strip():
                story.errors.append(
                    Issue(number, "text before the first passage: a passage starts ':: Name'")
                )
            continue
        current.lines.append(":" + ":" + line[4:] if line.startswith("\\:\\:") else line)
    _special(story)
    return story


def _header(number: int, line: str, story: Story) -> Passage | None:
    parsed = parse_header(line)
    if isinstance(parsed, str):
        story.errors.append(Issue(number, f"malformed passage header: {parsed}"))
        return Passage(number, "", [])  # its content still belongs to it, not to the one before
    name, tags, metadata = parsed
    if metadata is not None:
        try:
            json.loads(metadata)
        except ValueError:
            # The specification: warn, discard the metadata and carry on. It only places the
            # passage on Twine's story map.
            story.notes.append(Issue(number, f"passage '{name}': metadata is not valid JSON"))
    passage = Passage(number, name, tags)
    earlier = next((p for p in story.passages if p.name == name), None)
    if earlier is not None:
        story.errors.append(
            Issue(number, f"duplicate passage name '{name}' (first on line {earlier.line})")
        )
    else:
        story.passages.append(passage)
    return passage


def _special(story: Story) -> None:
    title = next((p for p in story.passages if p.name == "StoryTitle"), None)
    if title is None or not title.text.strip():
        line = title.line if title else 1
        story.errors.append(
            Issue(line, "no StoryTitle: add a passage ':: StoryTitle' with a title")
        )
    else:
        # The title is plain text: tags (and what a script holds) go, entities are read.
        text = nh3.clean(title.text, tags=set(), clean_content_tags={"script", "style"})
        story.title = " ".join(html.unescape(text).split())
    data = next((p for p in story.passages if p.name == "StoryData"), None)
    if data is None:
        return
    story.data_line = data.line
    try:
        value = json.loads(data.text or "null")
    except json.JSONDecodeError as error:
        story.errors.append(
            Issue(data.text_line + error.lineno - 1, f"StoryData is not valid JSON: {error.msg}")
        )
        return
    if not isinstance(value, dict):
        story.errors.append(Issue(data.line, "StoryData must be a JSON object { ... }"))
        return
    if "start" in value and not isinstance(value["start"], str):
        story.errors.append(Issue(data.line, "StoryData 'start' must be a passage name"))
        return
    story.data = value
