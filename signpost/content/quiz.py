"""Parsing and checking a module's quiz.md."""

import re

from signpost.content.blocks import (
    dedent_continuation,
    join,
    split_sections,
    starts_on,
    take_settings,
)
from signpost.content.frontmatter import Document, Fields
from signpost.content.problems import Problems
from signpost.content.sources import OptionSource, QuestionSource, QuizSource

OPTION_RE = re.compile(r"^- \[( |x|X)\]\s+(.+)$")
KINDS = {"single", "multiple", "true-false"}
QUIZ_FIELDS = {
    "title", "pass_mark", "draw", "attempts", "wait_minutes", "wait_after_failures", "minutes",
}  # fmt: skip
LESSON_STEM_RE = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")


def parse_quiz(doc: Document, problems: Problems) -> QuizSource:
    """Read quiz.md into a QuizSource, recording every problem."""
    fields = Fields(doc, problems, QUIZ_FIELDS)
    quiz = QuizSource(
        path=doc.path,
        title=fields.text("title", required=False, default="Check your understanding"),
        pass_mark=fields.integer("pass_mark", low=1, high=100, default=80),
        draw=fields.integer("draw", low=1, high=100, default=1),
        attempts=fields.integer("attempts", required=False, default=0, low=0, high=100),
        wait_minutes=fields.integer("wait_minutes", required=False, default=0, low=0, high=10080),
        minutes=fields.integer("minutes", required=False, default=0, low=0, high=600),
        wait_after_failures=fields.integer(
            "wait_after_failures", required=False, default=0, low=0, high=20
        ),
        title_line=doc.line_of("title"),
    )
    sections = split_sections(doc.path, doc.body, doc.body_line, {"Question": "question"}, problems)
    seen: dict[str, int] = {}
    for section in sections:
        question = _parse_question(doc, section, problems)
        if section.key in seen:
            problems.add(
                doc.path,
                section.line,
                f"duplicate question id '{section.key}' (first on line {seen[section.key]})",
            )
        seen.setdefault(section.key, section.line)
        quiz.questions.append(question)
    if not quiz.questions:
        problems.add(doc.path, doc.body_line, "the quiz has no questions ('## Question: id')")
    elif len(quiz.questions) < quiz.draw:
        problems.add(
            doc.path,
            doc.line_of("draw"),
            f"the pool has {len(quiz.questions)} questions but each attempt draws {quiz.draw}",
        )
    if not quiz.minutes:
        quiz.minutes = max(1, round(quiz.draw * 1.5))
    return quiz


def _parse_question(doc: Document, section, problems: Problems) -> QuestionSource:
    # One pass over the lines as a small state machine (stem, options, feedback,
    # explanation): split up, its state would have to travel between the pieces.
    settings, lines = take_settings(section.lines, {"type", "lesson"})
    kind = settings.get("type", (section.line, "single"))[1] or "single"
    if kind not in KINDS:
        problems.add(
            doc.path,
            settings["type"][0],
            f"question type must be one of: {', '.join(sorted(KINDS))}",
        )
        kind = "single"
    question = QuestionSource(line=section.line, key=section.key, kind=kind)
    if "lesson" in settings:
        question.lesson_line, question.lesson = settings["lesson"]
        # The lesson's file name without .md; whether the module has it is checked on load.
        question.lesson = question.lesson.removesuffix(".md")
        if not LESSON_STEM_RE.match(question.lesson):
            problems.add(
                doc.path,
                question.lesson_line,
                f"'lesson: {question.lesson}' must name a lesson file of this module without "
                "'.md', e.g. 'lesson: 01-what-is-cse'",
            )
    stem: list = []
    explanation: list = []
    state = "stem"
    current: OptionSource | None = None
    in_feedback = False
    for number, line in lines:
        option = OPTION_RE.match(line)
        if state == "explanation":
            explanation.append((number, line))
        elif line.startswith("Explanation:"):
            state = "explanation"
            explanation.append((number, line[len("Explanation:") :].strip()))
        elif option:
            if state == "stem":
                state = "options"
            current = OptionSource(number, option.group(2).strip(), option.group(1) != " ")
            question.options.append(current)
            in_feedback = False
        elif state == "stem":
            if line.startswith("- ["):
                problems.add(
                    doc.path, number, "an option must start '- [x] ' (correct) or '- [ ] ' (wrong)"
                )
            stem.append((number, line))
        elif not line.strip():
            continue
        elif line.startswith((" ", "\t")) and current is not None:
            text = dedent_continuation(line).strip()
            if text.startswith("Feedback:"):
                in_feedback = True
                current.feedback = text[len("Feedback:") :].strip()
                current.feedback_line = number
            elif in_feedback:
                current.feedback += "\n" + text
            else:
                current.text += " " + text
        else:
            problems.add(
                doc.path,
                number,
                "unexpected text after the options: indent option feedback with two spaces, "
                "or start the explanation with 'Explanation:'",
            )
    question.stem = join(stem)
    question.stem_line = starts_on(stem, section.line)
    question.explanation = join(explanation)
    question.explanation_line = starts_on(explanation, section.line)
    _check_question(doc, question, problems)
    return question


def _check_question(doc: Document, q: QuestionSource, problems: Problems) -> None:
    where = (doc.path, q.line)
    correct = sum(o.correct for o in q.options)
    if not q.stem:
        problems.add(*where, f"question '{q.key}' has no question text")
    if len(q.options) < 2:
        problems.add(*where, f"question '{q.key}' needs at least two options")
    if q.options and correct == 0:
        problems.add(*where, f"question '{q.key}' has no correct answer: mark one with '- [x]'")
    if q.kind == "single" and correct > 1:
        problems.add(
            *where,
            f"question '{q.key}' is single-answer but has {correct} correct options "
            "(use 'type: multiple' if more than one is right)",
        )
    if q.kind == "true-false":
        texts = sorted(o.text.strip().rstrip(".").lower() for o in q.options)
        if texts != ["false", "true"]:
            problems.add(
                *where,
                f"true-false question '{q.key}' must have exactly the options True and False",
            )
        elif correct != 1:
            problems.add(
                *where, f"true-false question '{q.key}' must have exactly one correct option"
            )
    if not q.explanation:
        problems.add(*where, f"question '{q.key}' has no 'Explanation:'")
    seen = set()
    for option in q.options:
        if option.text.lower() in seen:
            problems.add(doc.path, option.line, "the same option appears twice in this question")
        seen.add(option.text.lower())
