"""Passages to scenario nodes: ratings from tags, feedback and debrief paragraphs, safe Markdown."""

import re
from dataclasses import dataclass, field

from signpost.content.interop import (
    Dropped,
    Ids,
    Issue,
    demote_headings,
    flatten,
    has_html,
    safe_markdown,
    unsafe,
)
from signpost.content.twee_read import Passage
from signpost.content.twee_scan import Cleaned, Link

RATINGS = ("recommended", "acceptable", "unsafe")
OUTCOMES = ("good", "mixed", "poor")
_BOLD = re.compile(r"''(?=\S)(.+?)(?<=\S)''")  # Harlowe and SugarCube bold
_ITALIC = re.compile(r"(?<![:/])//(?=\S)(.+?)(?<=\S)//")  # Harlowe and SugarCube italic
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)")


@dataclass
class Choice:
    """A link, as a scenario choice."""

    rating: str
    text: str
    target: str  # the node id it leads to


@dataclass
class Node:
    """A passage, as a scenario node."""

    passage: Passage
    key: str
    ending: bool
    narrative: str = ""
    outcome: str | None = None
    debrief: str = ""
    feedback: str = ""  # shown on the choices that lead here
    choices: list[Choice] = field(default_factory=list)
    markdown_line: int = 0  # where its section starts in the body (0-based)


def _split(text: str, ending: bool) -> tuple[str, str, str]:
    """(narrative, feedback, debrief): `Feedback:` lines and, in an ending, `Debrief:` on."""
    narrative, feedback, debrief = [], [], []
    state = "narrative"
    for line in text.split("\n"):
        stripped = line.strip()  # Twine ignores indents; Markdown would make code of them
        if state == "debrief":
            debrief.append(stripped)
        elif ending and stripped.startswith("Debrief:"):
            state = "debrief"
            debrief.append(stripped[len("Debrief:") :])
        elif stripped.startswith("Feedback:"):
            feedback.append(stripped[len("Feedback:") :])
        else:
            narrative.append(stripped)
    return "\n".join(narrative), "\n".join(feedback), "\n".join(debrief)


def _markdown(text: str) -> tuple[str, list[str]]:
    text = _ITALIC.sub(r"*\1*", _BOLD.sub(r"**\1**", text))
    lines = (re.sub(r"(?<=\S) {2,}(?=\S)", " ", line.rstrip()) for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))  # dropped code leaves gaps
    text, notes = safe_markdown(text.strip())
    text = re.sub(r"(?m)^- \[", r"- \\[", demote_headings(text))  # not a choice line
    return text.strip(), notes


class _Builder:
    """Turns the reachable passages into nodes, recording problems on the result."""

    def __init__(self, passages: list[Passage], cleaned: dict[str, Cleaned], result, others):
        self.passages = {p.name: p for p in passages}
        self.others = others  # passages in the file that are not imported
        self.cleaned = cleaned
        self.result = result
        ids = Ids()
        self.keys = {p.name: ids.take(p.name, "passage") for p in passages}

    def error(self, line: int, passage: Passage, message: str) -> None:
        """Record an error in a passage."""
        self.result.errors.append(Issue(line, f"passage '{passage.name}': {message}"))

    def text(self, passage: Passage, text: str, line: int, *, one_line: bool = False) -> str:
        """Passage text as checked Markdown."""
        markdown, notes = _markdown(text)
        if one_line:
            markdown = flatten(markdown)
        for note in notes[1:] if notes else ():  # the first, "raw HTML...", is in `dropped`
            self.result.notes.append(Issue(line, f"passage '{passage.name}': {note}"))
        for _, message in unsafe(markdown):
            self.error(line, passage, message)
        return markdown

    def node(self, passage: Passage) -> Node:
        """A passage as a node, with its choices."""
        cleaned = self.cleaned[passage.name]
        node = Node(passage, self.keys[passage.name], ending=not cleaned.links)
        self._html(passage, cleaned)
        narrative, feedback, debrief = _split(cleaned.text, node.ending)
        node.narrative = self.text(passage, narrative, passage.line)
        node.feedback = self.text(passage, feedback, passage.line, one_line=True)
        node.debrief = self.text(passage, debrief, passage.line)
        if node.ending:
            node.narrative = re.sub(r"^outcome:", r"outcome\\:", node.narrative)  # not a setting
        self._outcome(node)
        if node.ending and not node.debrief:
            self.error(passage.line, passage, "an ending (no links) needs a 'Debrief:' paragraph")
        node.choices = [c for c in (self.choice(passage, link) for link in cleaned.links) if c]
        return node

    def _html(self, passage: Passage, cleaned: Cleaned) -> None:
        if not has_html(cleaned.text):
            return
        match = _TAG.search(cleaned.text)
        line = passage.text_line + cleaned.text.count("\n", 0, match.start() if match else 0)
        tags = sorted({t.lower() for t in _TAG.findall(cleaned.text)})
        self.result.dropped.append(
            self._dropped(line, passage, "HTML " + " ".join(f"<{t}>" for t in tags),
                          "turned into Markdown; anything unsafe or unsupported was removed")
        )  # fmt: skip

    def _dropped(self, line: int, passage: Passage, what: str, why: str) -> Dropped:
        return Dropped(line, passage.name, what, why)

    def _outcome(self, node: Node) -> None:
        tags = [t for t in node.passage.tags if t in OUTCOMES]
        if len(tags) > 1:
            self.error(node.passage.line, node.passage, "more than one outcome tag")
        elif tags and not node.ending:
            self.result.dropped.append(
                self._dropped(node.passage.line, node.passage, f"tag '{tags[0]}'",
                              "only an ending (a passage with no links) has an outcome")
            )  # fmt: skip
        elif tags:
            node.outcome = tags[0]

    def choice(self, passage: Passage, link: Link) -> Choice | None:
        """A link as a choice rated by the tag on its target; None (with an error) if not."""
        target = self.passages.get(link.target)
        if target is None:
            missing = "is not imported" if link.target in self.others else "does not exist"
            self.error(link.line, passage, f"link to a passage that {missing}: '{link.target}'")
            return None
        ratings = [t for t in target.tags if t in RATINGS]
        if not ratings:
            self.error(
                link.line,
                passage,
                f"untagged target '{target.name}': tag it recommended, acceptable or unsafe",
            )
            return None
        if len(ratings) > 1:
            self.error(target.line, target, "more than one rating tag")
            return None
        text = self.text(passage, link.text, link.line, one_line=True)
        if not text:
            self.error(link.line, passage, "a link has no text")
            return None
        return Choice(ratings[0], text, self.keys[target.name])


def _section(node: Node, feedback: dict[str, str]) -> list[str]:
    if node.ending:
        head = [f"## Ending: {node.key}"] + ([f"outcome: {node.outcome}"] if node.outcome else [])
        return [*head, "", node.narrative, "", f"Debrief: {node.debrief}", ""]
    lines = [f"## Node: {node.key}", "", node.narrative, ""]
    for choice in node.choices:
        lines.append(f"- [{choice.rating}] {choice.text} -> {choice.target}")
        if feedback.get(choice.target):
            lines.append(f"  Feedback: {feedback[choice.target]}")
    return [*lines, ""]


def build_nodes(passages: list[Passage], cleaned: dict[str, Cleaned], result, others=()):
    """The nodes for the passages and the scenario body (all sections) in Markdown."""
    builder = _Builder(passages, cleaned, result, set(others))
    nodes = [builder.node(p) for p in passages]
    feedback = {n.key: n.feedback for n in nodes if n.feedback}
    targets = {c.target for n in nodes for c in n.choices}
    lines: list[str] = []
    for node in nodes:
        if node.feedback and node.key not in targets:
            result.dropped.append(
                builder._dropped(node.passage.line, node.passage, "Feedback: paragraph",
                                 "no choice leads to this passage, so no one would see it")
            )  # fmt: skip
        node.markdown_line = len(lines)
        lines += _section(node, feedback)
    return nodes, "\n".join(lines)
