"""Moodle's GIFT importer, emulated, for checking what Signpost exports.

An independent reading of GIFT that follows Moodle's qformat_gift::readquestion
(question/format/gift/format.php) step by step: blank-line blocks of trimmed lines, `//`
comment lines, escape placeholders, `$CATEGORY:`, `::name::`, the first { and the first },
the last ####, `[format]` prefixes, '=' read as '~=' then split on '~', the weight pattern
`^%-*([0-9]{1,2}).?([0-9]*)%`, the first '#' for feedback, and true/false split in three
(answer, feedback for a wrong answer, feedback for a right one). It also applies
qformat_default's import check that every weight is one of Moodle's grade fractions
(question_bank::fraction_options_full, within 0.00001), and multichoice's check that the
positive weights of a multiple-answer question add up to 100%.
"""

import re

GRADES = [1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25]
GRADES += [0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0]
PLACEHOLDERS = {"\\:": "&&058;", "\\#": "&&035;", "\\=": "&&061;", "\\{": "&&123;"}
PLACEHOLDERS |= {"\\}": "&&125;", "\\~": "&&126;", "\\n": "&&010"}


def pre(text: str) -> str:
    """escapedchar_pre: escaped characters to placeholders (a backslash pair to a backslash)."""
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in PLACEHOLDERS.items():
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def _post(text: str) -> str:
    """escapedchar_post: placeholders back to characters."""
    for escaped, placeholder in PLACEHOLDERS.items():
        text = text.replace(placeholder, "\n" if escaped == "\\n" else escaped[1])
    return text


def _format(text: str, default: str) -> tuple[str, str]:
    """parse_text_with_format: a leading [format] and the trimmed text."""
    if text.startswith("["):
        name = text[1 : text.find("]")]
        if name in ("moodle", "html", "plain", "markdown"):
            return name, _post(text[text.find("]") + 1 :]).strip()
    return default, _post(text).strip()


def moodle_blocks(gift: str) -> list[str]:
    """readquestions: trimmed lines in blocks between blank lines, comments blanked."""
    blocks, current = [], []
    for line in gift.split("\n"):
        line = line.strip()
        if line:
            current.append(" " if line.startswith("//") else line)
        elif current:
            blocks.append("\n".join(current).strip())
            current = []
    return [b for b in [*blocks, "\n".join(current).strip()] if b]


def moodle_question(text: str) -> dict:
    """readquestion, for categories, multiple choice and true/false."""
    text = pre(text)
    if text.startswith("$CATEGORY:"):
        return {"qtype": "category", "category": text[10:].strip()}
    question = {}
    if text.startswith("::"):
        end = text.find("::", 2)
        question["name"] = _post(text[2:end])
        text = text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    assert 0 <= start < finish
    answers = text[start + 1 : finish].strip()
    question["blank"] = not text.endswith("}")
    separator = answers.rfind("####")
    general = answers[separator + 4 :] if separator >= 0 else ""
    answers = answers[:separator].strip() if separator >= 0 else answers
    fmt, question["text"] = _format(text[:start].strip(), "moodle")
    question["format"] = fmt
    question["general"] = _format(general.strip(), fmt)[1]
    if "~" in answers:
        question |= _moodle_multichoice(answers, fmt)
    else:
        head = answers.split("#")[0].strip() if "#" in answers else answers
        assert head in ("T", "TRUE", "F", "FALSE"), answers
        parts = answers.split("#", 2) + ["", ""]
        question |= {"qtype": "truefalse", "truth": head in ("T", "TRUE")}
        question |= {"wrong": _format(parts[1].strip(), fmt)[1]}
        question |= {"right": _format(parts[2].strip(), fmt)[1]}
    return question


def _moodle_multichoice(answers: str, fmt: str) -> dict:
    """The multichoice case: single if there is an '=', weights, feedback."""
    chunks = answers.replace("=", "~=").split("~")
    if not chunks[0].strip():
        chunks = chunks[1:]
    read = []
    for chunk in chunks:
        chunk = chunk.strip()
        if chunk[0] == "=":
            fraction, chunk = 1.0, chunk[1:]
        elif re.match(r"^%\-*([0-9]{1,2})\.?([0-9]*)%", chunk):
            end = chunk.find("%", 1)
            fraction, chunk = float(chunk[1:end]) / 100, chunk[end + 1 :]
        else:
            fraction = 0.0
        answer, _, feedback = chunk.partition("#")
        read.append((_format(answer.strip(), fmt)[1], fraction, _format(feedback.strip(), fmt)[1]))
    return {"qtype": "multichoice", "single": "=" in answers, "answers": read}


def moodle_reads(gift: str) -> list[dict]:
    """The questions Moodle would import from a GIFT text."""
    found = [moodle_question(block) for block in moodle_blocks(gift)]
    for question in found:
        for _, fraction, _ in question.get("answers", []):
            # qformat_default::importprocess refuses a weight that is not a grade option.
            assert any(abs(abs(fraction) - grade) < 0.00001 for grade in GRADES), fraction
        if question["qtype"] == "multichoice" and not question["single"]:
            assert round(sum(f for _, f, _ in question["answers"] if f > 0), 2) == 1
    return found
