"""Writing a Signpost quiz as Moodle GIFT, in the form Moodle's own exporter writes.

Checked against Moodle's question/format/gift/format.php (qformat_gift): `repchar` escapes
`\\ # = ~ { } :` and writes a new line as `\\n` (a blank line would end the question); a format
such as `[markdown]` written on the question text is the default for its answers, feedback and
general feedback; a true/false question is `{TRUE#feedback for a wrong answer#feedback for a
right answer}`; and in a multiple-answer question (no `=`) the weights of the right answers must
each be one of Moodle's grade fractions, which 100/n is for n up to 10.
"""

from signpost.content.sources import OptionSource, QuestionSource, QuizSource

_RESERVED = ("#", "=", "~", "{", "}", ":")


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped and new lines written as \\n."""
    text = text.replace("\\", "\\\\")
    for char in _RESERVED:
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _part(text: str) -> str:
    # A part starting '[' would have its first word read as a format, and one starting '%' a
    # weight; a format written outright comes first and protects both.
    return ("[markdown]" if text.startswith(("[", "%")) else "") + escape(text)


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _answer(marker: str, option: OptionSource) -> str:
    line = f"\t{marker}{_part(option.text)}"
    return line + (f"#{_part(option.feedback)}" if option.feedback else "")


def _choices(question: QuestionSource) -> list[str]:
    if question.kind == "single":
        return [_answer("=" if o.correct else "~", o) for o in question.options]
    right = _weight(sum(o.correct for o in question.options) or 1)
    return [_answer(f"~%{right}%" if o.correct else "~%-100%", o) for o in question.options]


def _true_false(question: QuestionSource) -> str:
    right = next(o for o in question.options if o.correct)
    wrong = next(o for o in question.options if not o.correct)
    truth = "TRUE" if right.text.strip().rstrip(".").lower() == "true" else "FALSE"
    out = truth
    if wrong.feedback or right.feedback:
        out += f"#{_part(wrong.feedback)}"
    if right.feedback:
        out += f"#{_part(right.feedback)}"
    if question.explanation:
        out += f"####{_part(question.explanation)}"
    return out


def question_to_gift(question: QuestionSource) -> str:
    """One question as a GIFT block (no blank lines inside)."""
    head = (
        f"// question: {question.key}\n::{escape(question.key)}::[markdown]{escape(question.stem)}"
    )
    if question.kind == "true-false":
        return f"{head}{{{_true_false(question)}}}\n"
    lines = [head + "{", *_choices(question)]
    if question.explanation:
        lines.append(f"\t####{_part(question.explanation)}")
    return "\n".join([*lines, "}"]) + "\n"


def quiz_to_gift(quiz: QuizSource, *, category: str | None = None) -> str:
    """A quiz as GIFT that Moodle imports; the category defaults to signpost/<module>."""
    module = quiz.path.parent.name if quiz.path.parent.name else ""
    category = category or ("signpost/" + module if module else "signpost")
    blocks = [f"// {quiz.title}: exported from Signpost\n$CATEGORY: {category}\n"]
    blocks += [question_to_gift(q) for q in quiz.questions]
    return "\n".join(blocks)
