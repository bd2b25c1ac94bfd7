"""Reading Moodle GIFT text into questions, the way Moodle's own importer (qformat_gift) does.

Moodle's rules, followed here: questions are separated by blank lines; a line starting `//` is
a comment; `$CATEGORY:` starts a category; `::name::` names a question; the first `{` and `}`
hold the answers; `####` starts the general feedback; `~` or `=` starts an answer; `#` starts
an answer's feedback; `%50%` after the marker is a weight; `{T}`, `{TRUE}`, `{F}`, `{FALSE}`
(in capitals) make a true/false question, whose first `#feedback` is shown for a wrong answer
and the second for a right one; `\\~ \\= \\# \\{ \\} \\: \\\\` are literal characters and `\\n`
a new line. Stricter than Moodle: any other backslash escape, and any brace Moodle would
silently keep, is reported so that nothing is imported by accident.
"""

import re
from dataclasses import dataclass, field

from signpost.content.gift_lex import BLANK, Block, Text, blocks, restore, with_format
from signpost.content.interop import Issue

_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class Answer:
    """One answer of a multiple-choice or true/false question."""

    line: int
    text: Text
    marker: str  # '=' or '~'
    weight: float | None  # None when no %weight% was written
    feedback: Text | None = None


@dataclass
class RawQuestion:
    """A question as GIFT wrote it, before it becomes a Signpost question."""

    line: int
    name: str | None
    kind: str  # multichoice | truefalse
    stem: Text
    answers: list[Answer] = field(default_factory=list)
    general: Text | None = None
    truth: bool | None = None  # the right answer of a true/false question
    missing_word: bool = False
    number: int = 0  # its place among the file's questions, for an id if it has no name


@dataclass
class GiftRead:
    """Everything found in a GIFT file."""

    questions: list[RawQuestion] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, name, reason)
    errors: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)


def read_gift(text: str) -> GiftRead:
    """Every question, skipped question, error and note in a GIFT text."""
    result = GiftRead()
    number = 0
    for lines in blocks(text):
        errors = len(result.errors)
        block = Block(lines, result.errors)
        if block.text.startswith("$CATEGORY:"):
            category = restore(block.text[len("$CATEGORY:") :]).strip()
            result.notes.append(
                Issue(lines[0][0], f"category '{category}' ignored: Signpost has no categories")
            )
            continue
        number += 1
        question = _read_question(block, result)
        # A question with any error in it is reported and never converted.
        if question is not None and len(result.errors) == errors:
            question.number = number
            result.questions.append(question)
    return result


def _name(block: Block, result: GiftRead) -> tuple[str | None, int] | None:
    if not block.text.startswith("::"):
        return None, 0
    end = block.text.find("::", 2)
    if end < 0:
        result.errors.append(Issue(block.line(0), "the question name is not closed: ::name::"))
        return None
    return restore(block.text[2:end]).strip() or None, end + 2


def _braces(block: Block, start: int, result: GiftRead) -> tuple[int, int] | None:
    text = block.text
    opening, closing = text.find("{", start), text.find("}", start)
    if opening < 0 or closing < 0 or closing < opening:
        where = opening if opening >= 0 else closing
        result.errors.append(
            Issue(block.line(where), "unbalanced braces: the answers go between one { and one }")
        )
        return None
    for offset in (text.find("{", opening + 1, closing), text.find("{", closing + 1)):
        if offset >= 0:
            result.errors.append(Issue(block.line(offset), _BRACE_MESSAGE))
            return None
    if text.find("}", closing + 1) >= 0:
        result.errors.append(Issue(block.line(text.find("}", closing + 1)), _BRACE_MESSAGE))
        return None
    return opening, closing


_BRACE_MESSAGE = "a second brace: a question has one {answers} block; write \\{ or \\} in text"


def _read_question(block: Block, result: GiftRead) -> RawQuestion | None:
    named = _name(block, result)
    if named is None:
        return None
    name, start = named
    text = block.text
    first = block.line(start + len(text[start:]) - len(text[start:].lstrip()))
    if "{" not in text[start:] and "}" not in text[start:]:
        result.skipped.append((block.numbers[0], name or "", _SKIP["description"]))
        return None
    braces = _braces(block, start, result)
    if braces is None:
        return None
    opening, closing = braces
    after = text[closing + 1 :].strip()
    stem_raw = text[start:opening] + (BLANK if after else "") + text[closing + 1 :]
    stem = with_format(first, stem_raw, "moodle")
    answers = text[opening + 1 : closing]
    general = None
    separator = answers.rfind("####")
    if separator >= 0:
        general = with_format(block.line(opening + 1 + separator), answers[separator + 4 :], "")
        answers = answers[:separator]
    kind = _kind(answers.strip())
    if kind not in ("multichoice", "truefalse"):
        result.skipped.append((block.numbers[0], name or "", _SKIP.get(kind, kind)))
        return None
    if general is not None and not general.fmt:
        general.fmt = stem.fmt  # other parts default to the question text's format
    question = RawQuestion(
        block.numbers[0], name, kind, stem, general=general, missing_word=bool(after)
    )
    if kind == "truefalse":
        _true_false(question, answers, block.line(opening))
    else:
        _choices(question, answers, block, opening + 1, result)
    return question


_SKIP = {
    "description": "description (text with no answers): Signpost quizzes have no text-only items",
    "essay": "essay ({} with nothing inside): Signpost cannot mark free text",
    "numerical": "numerical ({#...}): Signpost has no number answers",
    "matching": "matching (=item -> match): Signpost has no matching questions",
    "shortanswer": "short answer (only = answers): Signpost cannot mark typed answers",
}


def _kind(answers: str) -> str:
    if not answers:
        return "essay"
    if answers[0] == "#":
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "matching"
    head = answers.split("#", 1)[0].strip()
    if head in TRUE_FALSE:
        return "truefalse"
    if head.upper() in TRUE_FALSE:
        return f"{_SKIP['shortanswer']}; for true/false, write T, TRUE, F or FALSE in capitals"
    return "shortanswer"


def _true_false(question: RawQuestion, answers: str, line: int) -> None:
    parts = answers.strip().split("#", 2)
    question.truth = TRUE_FALSE[parts[0].strip()]
    fmt = question.stem.fmt
    wrong = with_format(line, parts[1], fmt) if len(parts) > 1 else None
    right = with_format(line, parts[2], fmt) if len(parts) > 2 else None
    for value in (True, False):
        text = Text(line, "True" if value else "False", "plain")
        feedback = right if value == question.truth else wrong
        question.answers.append(
            Answer(line, text, "=" if value == question.truth else "~", None, feedback)
        )


def _choices(question: RawQuestion, answers: str, block: Block, base: int, result) -> None:
    # Each '=' or '~' starts an answer (Moodle turns '=' into '~=' and splits on '~').
    starts = [m.start() for m in re.finditer(r"[=~]", answers)]
    if answers[: starts[0]].strip():
        result.errors.append(
            Issue(block.line(base), "text before the first answer: start answers with = or ~")
        )
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(answers)
        line = block.line(base + start)
        answer = _answer(line, answers[start], answers[start + 1 : end].strip(), question, result)
        if answer is not None:
            question.answers.append(answer)


def _answer(line: int, marker: str, chunk: str, question: RawQuestion, result) -> Answer | None:
    weight = None
    match = _WEIGHT_RE.match(chunk)  # no match: like Moodle, a leading % is part of the text
    if match:
        if abs(float(match.group(1))) > 100:
            result.errors.append(Issue(line, "a weight must be between -100% and 100%"))
            return None
        weight, chunk = float(match.group(1)), chunk[match.end() :]
    text, _, feedback = chunk.partition("#")
    fmt = question.stem.fmt
    answer = Answer(line, with_format(line, text, fmt), marker, weight)
    if feedback.strip():
        answer.feedback = with_format(line, feedback, fmt)
    if not answer.text.text:
        result.errors.append(Issue(line, "an answer has no text"))
        return None
    return answer
