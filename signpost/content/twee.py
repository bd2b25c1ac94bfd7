"""Twine (Twee 3) import into a branching scenario draft (issue 14, point 6).

Passages become nodes; a passage with no links is an ending. Every `[[text]]`,
`[[text->target]]`, `[[target<-text]]` and `[[text|target]]` link becomes a choice. Twine has no
place for Signpost's ratings, outcomes, feedback and debriefs, so these conventions supply them:

- tag `recommended`, `acceptable` or `unsafe` on a passage rates every choice that leads to it
  (a choice's rating is the rating of where it goes); a link into an untagged passage is an error;
- tag `start` marks the first passage when StoryData has no `start` (a passage named `Start` is
  the last resort, as in Twee);
- tag `good`, `mixed` or `poor` on an ending sets its outcome;
- a line starting `Feedback:` in a passage is the feedback on the choices that lead to it;
- in an ending, `Debrief:` starts the debrief, which runs to the end of the passage.

Script and stylesheet passages, StoryInit and other story-format special passages, macros,
variables and HTML are dropped and listed with their passage, line and why (see twee_text).
"""

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from signpost.content.frontmatter import Document
from signpost.content.interop import MAX_BYTES, Dropped, Issue, as_problems, read_text
from signpost.content.problems import Problem, Problems
from signpost.content.scenario import parse_scenario
from signpost.content.sources import ScenarioSource
from signpost.content.twee_build import Node, build_nodes
from signpost.content.twee_read import Passage, Story, read_twee
from signpost.content.twee_text import clean

TWEE_MAX_BYTES = MAX_BYTES
SUMMARY_PLACEHOLDER = "A branching scenario imported from Twine: replace this with one sentence."
ROLE_PLACEHOLDER = "Replace this with who the learner plays"
_SPECIAL = {
    "StoryInit": "it sets up variables, which Signpost scenarios do not have",
    **dict.fromkeys(
        ["StoryMenu", "StoryCaption", "StoryBanner", "StorySubtitle", "StoryAuthor", "StoryShare",
         "StorySettings", "StoryIncludes", "StoryInterface", "PassageReady", "PassageDone",
         "PassageHeader", "PassageFooter"],
        "a story-format special passage: Signpost lays out scenarios itself",
    ),
}  # fmt: skip
_TAGS = {
    "script": "JavaScript never runs in Signpost",
    "stylesheet": "Signpost uses its own styles",
    **dict.fromkeys(
        ["header", "footer", "startup", "debug-header", "debug-footer", "debug-startup",
         "widget", "init"],
        "a story-format special passage: Signpost lays out scenarios itself",
    ),
}  # fmt: skip
_UNREACHED = "no link leads to it from the start"
OWN_TAGS = {"recommended", "acceptable", "unsafe", "start", "good", "mixed", "poor"}


@dataclass
class TweeResult:
    """A converted Twee file: the scenario file and the report."""

    path: str
    slug: str
    markdown: str = ""  # a complete scenario-<slug>.md; "" when there are errors
    scenario: ScenarioSource | None = None
    title: str = ""
    story_format: str = ""
    dropped: list[Dropped] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)

    def problems(self) -> list[Problem]:
        """The errors as `file:line: message` problems."""
        return as_problems(self.path, self.errors)


def read_bytes(data: bytes, name: str = "story.twee") -> str:
    """An uploaded Twee file as text; ConversionError if it is too big or not UTF-8 text."""
    return read_text(data, name, TWEE_MAX_BYTES)


def _story_passages(story: Story, result: TweeResult) -> list[Passage]:
    kept = []
    for passage in story.passages:
        if passage.name in ("StoryTitle", "StoryData"):
            continue
        reason = _SPECIAL.get(passage.name) or next(
            (_TAGS[t] for t in passage.tags if t in _TAGS), None
        )
        if reason:
            result.dropped.append(Dropped(passage.line, passage.name, "passage", reason))
            continue
        for tag in passage.tags:
            if tag not in OWN_TAGS:
                result.dropped.append(
                    Dropped(passage.line, passage.name, f"tag '{tag}'", "Signpost does not use it")
                )
        kept.append(passage)
    return kept


def _start(story: Story, passages: list[Passage], result: TweeResult) -> Passage | None:
    names = {p.name: p for p in passages}
    wanted = story.data.get("start")
    if wanted:
        if wanted not in names:
            result.errors.append(
                Issue(story.data_line, f"StoryData start '{wanted}' is not a story passage")
            )
        return names.get(wanted)
    tagged = [p for p in passages if "start" in p.tags]
    if len(tagged) > 1:
        result.errors.append(Issue(tagged[1].line, "more than one passage is tagged 'start'"))
        return None
    if tagged or "Start" in names:
        return tagged[0] if tagged else names["Start"]
    if story.errors:  # a broken header or StoryData may be what hides the start
        return None
    result.errors.append(
        Issue(1, "no start: set \"start\" in StoryData, tag a passage 'start' or name one 'Start'")
    )
    return None


def _reachable(start: Passage, passages: list[Passage], links: dict) -> set[str]:
    names = {p.name for p in passages}
    seen, queue = {start.name}, deque([start.name])
    while queue:
        for link in links[queue.popleft()]:
            if link.target in names and link.target not in seen:
                seen.add(link.target)
                queue.append(link.target)
    return seen


def _front(result: TweeResult, start: str, summary: str | None, role: str | None) -> str:
    meta = {"title": result.title, "summary": summary or SUMMARY_PLACEHOLDER, "start": start}
    meta["role"] = role or ROLE_PLACEHOLDER
    for key, given in (("summary", summary), ("role", role)):
        if not given:
            result.notes.append(
                Issue(1, f"the {key} is a placeholder: replace it before publishing")
            )
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def _validate(result: TweeResult, markdown: str, nodes: list[Node]) -> None:
    # The file must read back through Signpost's own parser and graph checks with no problems.
    head, body = markdown.split("---\n", 2)[1:]
    body_line = head.count("\n") + 3
    meta = yaml.safe_load(head)
    lines = {key: number for number, key in enumerate(meta, start=2)}
    doc = Document(Path(result.path), meta, body, body_line, lines)
    problems = Problems()
    result.scenario = parse_scenario(doc, result.slug, problems)
    starts = [(body_line + 1 + n.markdown_line, n) for n in nodes]  # body: a blank line first
    for problem in problems.sorted():
        node = next((n for line, n in reversed(starts) if line <= problem.line), None)
        where = node.passage.line if node else 1
        prefix = f"passage '{node.passage.name}': " if node else ""
        result.errors.append(Issue(where, prefix + problem.message))


def twee_to_scenario(
    text: str,
    *,
    slug: str,
    path: str = "story.twee",
    summary: str | None = None,
    role: str | None = None,
) -> TweeResult:
    """Convert a Twee 3 story into a scenario file; with any error, nothing is converted."""
    story = read_twee(text)
    result = TweeResult(path, slug, title=story.title, errors=list(story.errors))
    result.notes = list(story.notes)
    result.story_format = str(story.data.get("format", ""))
    harlowe = not result.story_format.lower().startswith(("sugarcube", "snowman", "chapbook"))
    passages = _story_passages(story, result)
    cleaned = {p.name: clean(p.text, p.text_line, harlowe=harlowe) for p in passages}
    start = _start(story, passages, result)
    if start is not None:
        reached = _reachable(start, passages, {name: c.links for name, c in cleaned.items()})
        for passage in passages:
            if passage.name not in reached:
                result.dropped.append(Dropped(passage.line, passage.name, "passage", _UNREACHED))
        passages = [p for p in passages if p.name in reached]
    for passage in passages:  # what was dropped from the passages that are imported
        for line, what, why in cleaned[passage.name].dropped:
            result.dropped.append(Dropped(line, passage.name, what, why))
    if start is not None:
        others = {p.name for p in story.passages} - {p.name for p in passages}
        nodes, body = build_nodes(passages, cleaned, result, others)
        if not result.errors:
            first = next(n.key for n in nodes if n.passage is start)
            markdown = _front(result, first, summary, role) + "\n" + body
            _validate(result, markdown, nodes)
            result.markdown = "" if result.errors else markdown
    if result.errors:
        result.markdown, result.scenario = "", None
    result.errors.sort()
    result.dropped.sort()
    return result


__all__ = [
    "Dropped",
    "OWN_TAGS",
    "TWEE_MAX_BYTES",
    "TweeResult",
    "read_bytes",
    "twee_to_scenario",
]
