"""Moodle GIFT import and export for a module's quiz (issue 14, point 5).

`gift_to_quiz` turns GIFT text into `quiz.md` sections; `quiz_to_gift` (in gift_write) writes a
quiz as GIFT. Moodle question types Signpost has no equivalent for (short answer, numerical,
matching, essay, description) are skipped and listed with their line and why.

Text formats. `[markdown]` text is kept as it is, like any authored Markdown (if it holds raw
HTML, that is sanitised as below). `[html]` text, and `[moodle]` text that contains tags, is
cleaned by nh3 with Signpost's allowlist and then written as Markdown rather than carried as
HTML: options and feedback must fit on one line of quiz.md, trainers edit the result as ordinary
Markdown, and `content check` reads raw HTML strictly (a sentence such as "personal data: ..."
inside an HTML block would be reported as a 'data:' link). `[plain]` and tag-free `[moodle]`
text is escaped so that it shows exactly as written.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

from signpost.content.frontmatter import Document
from signpost.content.gift_lex import BLANK, Text
from signpost.content.gift_read import RawQuestion, read_gift
from signpost.content.gift_write import quiz_to_gift
from signpost.content.interop import (
    MAX_BYTES,
    Ids,
    Issue,
    as_problems,
    demote_headings,
    flatten,
    html_to_markdown,
    plain_to_markdown,
    read_text,
    safe_markdown,
    unsafe,
)
from signpost.content.problems import Problem, Problems
from signpost.content.quiz import parse_quiz
from signpost.content.sources import OptionSource, QuestionSource

GIFT_MAX_BYTES = MAX_BYTES
PLACEHOLDER_EXPLANATION = "See the feedback on each option."
_LOOKS_HTML = re.compile(r"<(?:[A-Za-z][\w-]*|/[A-Za-z][\w-]*|!--)")


class Skipped(NamedTuple):
    """A question Signpost cannot use: where it starts, its name and why."""

    line: int
    name: str
    reason: str


@dataclass
class GiftResult:
    """A converted GIFT file: the questions, their quiz.md sections and the report."""

    path: str
    questions: list[QuestionSource] = field(default_factory=list)
    markdown: str = ""  # question sections in quiz.md format, no front matter; "" = import nothing
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)

    def problems(self) -> list[Problem]:
        """The errors as `file:line: message` problems."""
        return as_problems(self.path, self.errors)


def read_bytes(data: bytes, name: str = "quiz.gift") -> str:
    """An uploaded GIFT file as text; ConversionError if it is too big or not UTF-8 text."""
    return read_text(data, name, GIFT_MAX_BYTES)


class _Question:
    """Errors and notes for one question, each prefixed with the question's id."""

    def __init__(self, key: str):
        self.key = key
        self.errors: list[Issue] = []
        self.notes: list[Issue] = []

    def error(self, line: int, message: str) -> None:
        """Record an error in this question."""
        self.errors.append(Issue(line, f"question '{self.key}': {message}"))

    def note(self, line: int, message: str) -> None:
        """Record a note on this question."""
        self.notes.append(Issue(line, f"question '{self.key}': {message}"))

    def markdown(self, piece: Text | None, *, one_line: bool = False) -> str:
        """A piece of GIFT text as safe Markdown, with what the conversion changed noted."""
        if piece is None or not piece.text:
            return ""
        markdown, notes = _to_markdown(piece)
        for note in notes:
            self.note(piece.line, note)
        markdown = markdown.replace(BLANK, "\\_" * 5)
        markdown = flatten(markdown) if one_line else demote_headings(markdown)
        for _, message in unsafe(markdown):
            self.error(piece.line, message)
        return markdown


def _to_markdown(piece: Text) -> tuple[str, list[str]]:
    if piece.fmt == "markdown":
        return safe_markdown(piece.text)
    if piece.fmt == "html" or (piece.fmt == "moodle" and _LOOKS_HTML.search(piece.text)):
        # Moodle's auto-format shows a new line as a line break, as <br> does.
        html = piece.text if piece.fmt == "html" else piece.text.replace("\n", "<br>\n")
        return html_to_markdown(html)
    return plain_to_markdown(piece.text), []


def _guard_stem(markdown: str) -> str:
    """Question text lines that quiz.md would read as an option or the explanation."""
    markdown = re.sub(r"(?m)^Explanation:", r"Explanation\\:", markdown)
    return re.sub(r"(?m)^- \[", r"- \\[", markdown)


def _correct(raw: RawQuestion, q: _Question) -> list[bool]:
    answers = raw.answers
    if raw.kind == "truefalse":
        return [a.marker == "=" for a in answers]
    if any(a.marker == "=" for a in answers):  # Moodle: an '=' makes it single-answer
        right = [a.marker == "=" and (a.weight is None or a.weight > 0) for a in answers]
        for a in answers:
            if a.marker == "~" and (a.weight or 0) > 0:
                q.note(a.line, f"'{a.text.text}' had {a.weight:g}% credit and is now wrong")
        if sum(right) > 1:
            q.error(
                raw.line,
                f"{sum(right)} answers are marked right with '='; a single-answer question has "
                "one (for several right answers use weights: ~%50% each)",
            )
        return right
    q.note(raw.line, "partial-credit weights became all-or-nothing: the learner must choose "
           "every answer with a positive weight and no other")  # fmt: skip
    return [(a.weight or 0) > 0 for a in answers]


def _check(raw: RawQuestion, options: list[OptionSource], q: _Question) -> None:
    if len(options) < 2:
        q.error(raw.line, "a question needs at least two answers")
    if options and not any(o.correct for o in options):
        q.error(raw.line, "no right answer: mark one with '=' or give right answers ~%50%")
    seen: set[str] = set()
    for option in options:
        if not option.text:
            q.error(option.line, "an answer has no text once converted (an image only?)")
        elif option.text.lower() in seen:
            q.error(option.line, f"the answer '{option.text}' appears twice")
        seen.add(option.text.lower())


def _convert(raw: RawQuestion, q: _Question) -> QuestionSource:
    stem = _guard_stem(q.markdown(raw.stem))
    if not stem.strip():
        q.error(raw.stem.line, "the question has no text")
    if raw.missing_word:
        q.note(raw.line, "missing-word question: the answers' place is shown as a blank _____")
    correct = _correct(raw, q)
    options = [
        OptionSource(
            a.line, q.markdown(a.text, one_line=True), right, q.markdown(a.feedback, one_line=True)
        )
        for a, right in zip(raw.answers, correct, strict=True)
    ]
    for option in options:
        option.feedback_line = option.line if option.feedback else 0
    _check(raw, options, q)
    explanation = q.markdown(raw.general)
    if not explanation:
        explanation = PLACEHOLDER_EXPLANATION
        q.note(raw.line, f"no general feedback (####): the explanation says '{explanation}'")
    kinds = {"truefalse": "true-false", "multichoice": None}
    kind = kinds[raw.kind] or (
        "single" if any(a.marker == "=" for a in raw.answers) else "multiple"
    )
    return QuestionSource(
        line=raw.line,
        key=q.key,
        kind=kind,
        stem=stem,
        options=options,
        explanation=explanation,
        stem_line=raw.stem.line,
        explanation_line=raw.general.line if raw.general else raw.line,
    )


def question_markdown(question: QuestionSource) -> str:
    """One question as a quiz.md section."""
    lines = [f"## Question: {question.key}", f"type: {question.kind}", "", question.stem, ""]
    for option in question.options:
        lines.append(f"- [{'x' if option.correct else ' '}] {option.text}")
        if option.feedback:
            lines.append(f"  Feedback: {option.feedback}")
    lines += ["", f"Explanation: {question.explanation}"]
    return "\n".join(lines) + "\n"


def _validate(section: str, q: _Question, line: int, path: str) -> None:
    # The section must read back through Signpost's own parser with no problems at all.
    problems = Problems()
    parse_quiz(Document(Path(path), {"pass_mark": 80, "draw": 1}, section, 1, {}), problems)
    for problem in problems.sorted():
        q.error(line, problem.message)


def quiz_markdown(front_matter: dict | None = None, markdown: str = "") -> str:
    """A complete quiz.md: front matter (title, pass_mark, draw defaulted) and the sections."""
    count = len(re.findall(r"(?m)^## Question:", markdown))
    meta = {"title": "Check your understanding", "pass_mark": 80, **(front_matter or {})}
    meta.setdefault("draw", max(1, count))
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{head}---\n\n{markdown}"


def gift_to_quiz(text: str, *, path: str = "quiz.gift", skip_errors: bool = False) -> GiftResult:
    """Convert GIFT text; with errors, nothing is converted unless `skip_errors` is set."""
    read = read_gift(text)
    result = GiftResult(path, skipped=[Skipped(*s) for s in read.skipped])
    result.errors, result.notes = list(read.errors), list(read.notes)
    ids, sections = Ids(), []
    for raw in read.questions:
        q = _Question(ids.take(raw.name or "", f"q{raw.number}"))
        question = _convert(raw, q)
        section = question_markdown(question)
        if not q.errors:
            _validate(section, q, raw.line, path)
        result.errors += q.errors
        if not q.errors:
            result.notes += q.notes
            result.questions.append(question)
            sections.append(section)
    if result.errors and not skip_errors:
        result.questions, sections = [], []
    elif not sections and not result.errors:
        result.errors.append(Issue(1, "the file has no questions Signpost can import"))
    result.markdown = "\n".join(sections)
    result.errors.sort()
    result.notes.sort()
    return result


__all__ = [
    "GIFT_MAX_BYTES",
    "GiftResult",
    "PLACEHOLDER_EXPLANATION",
    "Skipped",
    "gift_to_quiz",
    "question_markdown",
    "quiz_markdown",
    "quiz_to_gift",
    "read_bytes",
]
