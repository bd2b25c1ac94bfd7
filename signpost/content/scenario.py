"""Parsing and checking a branching scenario."""

import re
from collections import deque

from signpost.content.blocks import (
    dedent_continuation,
    join,
    split_sections,
    starts_on,
    take_settings,
)
from signpost.content.frontmatter import Document, Fields
from signpost.content.problems import Problems
from signpost.content.sources import ChoiceSource, NodeSource, ScenarioSource

CHOICE_RE = re.compile(r"^- \[(recommended|acceptable|unsafe)\]\s+(.+?)\s*->\s*(\S+)\s*$")
# A list item that ends "-> node-id" is a choice, whether or not its rating was written.
UNRATED_RE = re.compile(r"^- (?!\[)(.+?)\s*->\s*[a-z0-9]+(?:-[a-z0-9]+)*\s*$")
RATING_RE = re.compile(r"^- \[([^\]]*)\]")
CHOICE_FORM = "a choice must be '- [recommended|acceptable|unsafe] text -> node-id'"
OUTCOMES = {"good", "mixed", "poor"}


def parse_scenario(doc: Document, slug: str, problems: Problems) -> ScenarioSource:
    """Read a scenario file into a ScenarioSource, recording every problem."""
    fields = Fields(doc, problems, {"title", "summary", "start", "role", "minutes"})
    scenario = ScenarioSource(
        path=doc.path,
        slug=slug,
        title=fields.text("title", default=slug),
        summary=fields.text("summary", default=""),
        role=fields.text("role", required=False),
        start=fields.text("start", default=""),
        minutes=fields.integer("minutes", required=False, default=10, low=1, high=600),
        lines={key: doc.line_of(key) for key in ("title", "summary", "role")},
    )
    sections = split_sections(
        doc.path, doc.body, doc.body_line, {"Node": "node", "Ending": "ending"}, problems
    )
    seen: dict[str, int] = {}
    for section in sections:
        if section.key in seen:
            problems.add(
                doc.path,
                section.line,
                f"duplicate node id '{section.key}' (first on line {seen[section.key]})",
            )
            continue
        seen[section.key] = section.line
        scenario.nodes.append(_parse_node(doc, section, problems))
    _check_graph(doc, scenario, problems)
    return scenario


def _parse_node(doc: Document, section, problems: Problems) -> NodeSource:
    # One pass over the lines as a small state machine (narrative, choices, feedback,
    # debrief): split up, its state would have to travel between the pieces.
    ending = section.kind == "ending"
    settings, lines = take_settings(section.lines, {"outcome"} if ending else set())
    node = NodeSource(line=section.line, key=section.key, ending=ending)
    if "outcome" in settings:
        number, value = settings["outcome"]
        if value not in OUTCOMES:
            problems.add(doc.path, number, "outcome must be one of: good, mixed, poor")
        else:
            node.outcome = value
    narrative, debrief = [], []
    state = "narrative"
    current: ChoiceSource | None = None
    for number, line in lines:
        choice = CHOICE_RE.match(line)
        if state == "debrief":
            debrief.append((number, line))
        elif ending and line.startswith("Debrief:"):
            state = "debrief"
            debrief.append((number, line[len("Debrief:") :].strip()))
        elif not ending and UNRATED_RE.match(line):
            problems.add(
                doc.path,
                number,
                f"this choice has no rating: {CHOICE_FORM} (rate it recommended, acceptable "
                "or unsafe)",
            )
        elif choice or line.startswith("- ["):
            if ending:
                problems.add(
                    doc.path, number, "an ending cannot have choices; use '## Node:' instead"
                )
                continue
            if not choice:
                rating = RATING_RE.match(line)
                known = rating and rating.group(1) in {"recommended", "acceptable", "unsafe"}
                detail = "" if known or not rating else f" (unknown rating '{rating.group(1)}')"
                problems.add(doc.path, number, CHOICE_FORM + detail)
                continue
            state = "choices"
            current = ChoiceSource(number, choice.group(1), choice.group(2), choice.group(3))
            node.choices.append(current)
        elif state == "narrative":
            narrative.append((number, line))
        elif not line.strip():
            continue
        elif line.startswith((" ", "\t")) and current is not None:
            text = dedent_continuation(line).strip()
            if text.startswith("Feedback:"):
                current.feedback = text[len("Feedback:") :].strip()
                current.feedback_line = number
            else:
                if not current.feedback:
                    current.feedback_line = number
                current.feedback = (current.feedback + "\n" + text).strip()
        else:
            problems.add(
                doc.path,
                number,
                "unexpected text after the choices: indent feedback with two spaces",
            )
    node.narrative = join(narrative)
    node.narrative_line = starts_on(narrative, node.line)
    node.debrief = join(debrief)
    node.debrief_line = starts_on(debrief, node.line)
    where = (doc.path, node.line)
    if not node.narrative:
        problems.add(*where, f"node '{node.key}' has no narrative")
    if ending and not node.debrief:
        problems.add(*where, f"ending '{node.key}' has no 'Debrief:'")
    if not ending and not node.choices:
        problems.add(
            *where, f"node '{node.key}' has no choices; make it an '## Ending:' or add choices"
        )
    if not ending and node.choices and not any(c.rating == "recommended" for c in node.choices):
        problems.add(*where, f"node '{node.key}' has no [recommended] choice")
    return node


def _reachable(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_graph(doc: Document, scenario: ScenarioSource, problems: Problems) -> None:
    keys = {n.key for n in scenario.nodes}
    if not scenario.nodes:
        problems.add(doc.path, doc.body_line, "the scenario has no nodes ('## Node: id')")
        return
    if scenario.start and scenario.start not in keys:
        problems.add(
            doc.path, doc.line_of("start"), f"start node '{scenario.start}' does not exist"
        )
        return
    edges: dict[str, list[str]] = {}
    for node in scenario.nodes:
        for choice in node.choices:
            if choice.target not in keys:
                problems.add(
                    doc.path, choice.line, f"choice leads to unknown node '{choice.target}'"
                )
            else:
                edges.setdefault(node.key, []).append(choice.target)
    endings = {n.key for n in scenario.nodes if n.ending}
    if len(endings) < 2:
        problems.add(doc.path, doc.body_line, "a scenario needs more than one ending")
    reachable = _reachable(scenario.start, edges) if scenario.start else set()
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_end = set()
    for ending in endings:
        can_end |= _reachable(ending, reverse)
    for node in scenario.nodes:
        if node.key not in reachable:
            problems.add(doc.path, node.line, f"node '{node.key}' cannot be reached from the start")
        elif node.key not in can_end:
            problems.add(
                doc.path, node.line, f"from node '{node.key}' there is no way to an ending"
            )
    path = recommended_path(scenario)
    last = scenario.node(path[-1]) if path else None
    step = next((c for c in last.choices if c.rating == "recommended"), None) if last else None
    # The path stops at an ending, at a node without a recommended choice or with an unknown
    # target (both reported above), or where it comes back to a node it passed: a loop.
    if step is not None and step.target in keys:
        problems.add(
            doc.path,
            doc.line_of("start"),
            "following [recommended] choices from the start never reaches an ending "
            f"(it loops at '{path[-1]}')",
        )


def recommended_path(scenario: ScenarioSource) -> list[str]:
    """Node ids visited by always taking the first recommended choice."""
    path, seen = [], set()
    node = scenario.node(scenario.start)
    while node is not None and node.key not in seen:
        path.append(node.key)
        seen.add(node.key)
        choice = next((c for c in node.choices if c.rating == "recommended"), None)
        if choice is None:
            break
        node = scenario.node(choice.target)
    return path
