"""GIFT import and export (issue 14, point 5): every construct, errors by line, round trips."""

import re
import shutil
from pathlib import Path

import pytest

from signpost.content.frontmatter import read
from signpost.content.gift import (
    GIFT_MAX_BYTES,
    PLACEHOLDER_EXPLANATION,
    gift_to_quiz,
    quiz_markdown,
    quiz_to_gift,
    read_bytes,
)
from signpost.content.interop import ConversionError
from signpost.content.loader import load
from signpost.content.problems import Problems
from signpost.content.quiz import parse_quiz
from signpost.content.render import render, render_inline
from tests.interop_fixtures.moodle_gift import moodle_blocks, moodle_question, moodle_reads, pre

FIXTURES = Path(__file__).parent / "interop_fixtures"
CONTENT = Path(__file__).parent.parent / "content"
VALID_MODULE = Path(__file__).parent / "content_fixtures" / "valid" / "basics"
SHIPPED = sorted(CONTENT.glob("*/quiz.md"))


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The line of the fixture that holds `needle` (so the assertions name real lines)."""
    return text[: text.index(needle)].count("\n") + 1


def questions(result) -> dict:
    return {q.key: q for q in result.questions}


def options(question) -> list[tuple[str, bool, str]]:
    return [(o.text, o.correct, o.feedback) for o in question.options]


def same(question) -> tuple:
    """What a round trip must keep."""
    return (question.key, question.kind, question.stem, options(question), question.explanation)


def parse_file(path: Path):
    problems = Problems()
    quiz = parse_quiz(read(path, problems), problems)
    return quiz, [p.message for p in problems.items]


def content_check(tmp_path: Path, quiz_md: str) -> list[str]:
    """Problems `flask content check` would report for a module with this quiz."""
    module = tmp_path / "content" / "imported"
    shutil.copytree(VALID_MODULE, module)
    (module / "scenario-x.md").unlink()
    (module / "quiz.md").write_text(quiz_md, encoding="utf-8")
    _, problems = load(tmp_path / "content")
    return [p.format(tmp_path) for p in problems.sorted()]


# --- everything Signpost reads ------------------------------------------------------------


@pytest.fixture(scope="module")
def everything():
    return gift_to_quiz(fixture("everything.gift"), path="everything.gift")


def test_every_supported_construct_converts_without_errors(everything):
    assert everything.errors == []
    assert list(questions(everything)) == [
        "who-to-tell", "q2", "who-to-tell-2", "warning-signs", "three-right", "partial", "boys",
        "sixteen", "online", "consent", "markdown", "html", "plain", "moodle-tags",
        "missing-word", "escapes-all-of-them",
    ]  # fmt: skip


def test_the_markdown_passes_signposts_quiz_parser_and_content_check(everything, tmp_path):
    quiz_md = quiz_markdown({"title": "Imported", "pass_mark": 75}, everything.markdown)
    path = tmp_path / "quiz.md"
    path.write_text(quiz_md, encoding="utf-8")
    quiz, problems = parse_file(path)
    assert problems == []
    assert [same(q) for q in quiz.questions] == [same(q) for q in everything.questions]
    assert (quiz.title, quiz.pass_mark, quiz.draw) == ("Imported", 75, 16)
    assert content_check(tmp_path, quiz_md) == []


def test_multiple_choice_with_feedback_and_general_feedback(everything):
    q = questions(everything)["who-to-tell"]
    assert q.kind == "single"
    assert q.stem == "Who should you tell first if a child discloses exploitation at school?"
    assert options(q) == [
        ("The designated safeguarding lead", True, "Yes. The DSL coordinates the response."),
        ("Nobody, until you are sure", False, "No. You do not need proof to pass on a concern."),
        (
            "The child's friends",
            False,
            "No. That breaks the child's trust and could put them at risk.",
        ),
    ]
    assert q.explanation == "Your setting's procedures name the DSL as the first person to tell."
    text = fixture("everything.gift")
    assert q.line == line_of(text, "::Who to tell::Who should")
    assert [o.line for o in q.options] == [
        line_of(text, "=The designated"),
        line_of(text, "~Nobody"),
        line_of(text, "~The child's"),
    ]


def test_a_question_without_a_name_or_general_feedback(everything):
    text = fixture("everything.gift")
    q = questions(everything)["q2"]
    assert [o.text for o in q.options if o.correct] == ["Children's social care"]
    assert q.explanation == PLACEHOLDER_EXPLANATION
    note = "question 'q2': no general feedback (####): the explanation says '{}'"
    assert (line_of(text, "Which agency leads"), note.format(PLACEHOLDER_EXPLANATION)) in (
        everything.notes
    )


def test_a_repeated_name_gets_a_new_id(everything):
    assert questions(everything)["who-to-tell-2"].stem == "A second question with the same name."


def test_weights_positive_right_zero_or_negative_wrong(everything):
    text = fixture("everything.gift")
    signs = questions(everything)["warning-signs"]
    assert signs.kind == "multiple"
    assert [(o.text, o.correct) for o in signs.options] == [
        ("Going missing from home", True),
        ("Unexplained gifts", True),
        ("Joining a sports team", False),
        ("Getting a haircut", False),
    ]
    three = questions(everything)["three-right"]
    assert [o.correct for o in three.options] == [True, True, True, False]
    notes = dict(everything.notes)
    assert "partial-credit weights became all-or-nothing" in notes[line_of(text, "::Warning")]
    partial = questions(everything)["partial"]
    assert partial.kind == "single"
    assert [o.correct for o in partial.options] == [True, False, False]
    assert partial.options[0].text == "Listen and write down what was said"  # =%100% read
    assert notes[line_of(text, "~%50%Ask")] == (
        "question 'partial': 'Ask leading questions to get the details' had 50% credit and is "
        "now wrong"
    )


def test_true_false_feedback_first_for_a_wrong_answer_then_for_a_right_one(everything):
    q = questions(everything)
    assert options(q["boys"]) == [("True", True, ""), ("False", False, "")]
    assert options(q["sixteen"]) == [
        ("True", False, "A 16 year old is still a child."),
        ("False", True, "Right: a child is anyone under 18."),
    ]
    assert q["sixteen"].explanation == "The age of consent does not end protection."
    assert options(q["online"]) == [
        ("True", True, "Yes."),
        ("False", False, "It can: online abuse is real abuse."),
    ]
    assert options(q["consent"]) == [
        ("True", False, "Apparent consent does not rule out exploitation."),
        ("False", True, ""),
    ]
    assert {q[k].kind for k in ("boys", "sixteen", "online", "consent")} == {"true-false"}


def test_text_formats(everything):
    q = questions(everything)
    assert q["markdown"].stem == "Which of these is **statutory** guidance?\n\nChoose *one*."
    assert options(q["markdown"]) == [
        ("*Working Together to Safeguard Children*", True, "Yes, **statutory**."),
        ("A blog post", False, "No: it has \\*no\\* standing."),  # [plain] feedback
    ]
    assert q["html"].stem == (
        "Read the **referral** below.\n\n- Age 14\n- Missing twice\n\n"
        "What next? [NSPCC](https://www.nspcc.org.uk/)"
    )
    assert options(q["html"])[0] == ("*Share it* with the DSL", True, "Yes, **today**.")
    assert q["html"].explanation == "Act on concerns the same day."
    assert q["plain"].stem == "Stars \\*stay\\* stars, and \\<b>tags\\</b> stay text."
    assert [o.text for o in q["plain"].options] == [
        "1\\. A numbered line stays text",
        "\\- A dash stays text",
    ]
    assert (
        render(q["plain"].stem)
        == "<p>Stars *stay* stars, and &lt;b&gt;tags&lt;/b&gt; stay text.</p>\n"
    )
    assert q["moodle-tags"].stem == "Moodle auto-format with *tags*\\\non two lines."


def test_missing_word_gets_a_blank(everything):
    q = questions(everything)["missing-word"]
    assert q.stem == "A child is anyone under the age of \\_\\_\\_\\_\\_ in England."
    assert "_____ in England" in render(q.stem)
    assert [o.text for o in q.options if o.correct] == ["18"]


def test_every_escape(everything):
    q = questions(everything)["escapes-all-of-them"]
    assert render(q.stem) == (
        "<p>Which shows ~ = # { } : and \\ literally?<br>\nOn a new line.</p>\n"
    )
    assert render_inline(q.options[0].text) == "All of ~ = # { } : \\"
    assert q.options[0].feedback == "Feedback with # and {braces}."
    assert q.options[1].feedback == "Escapes: work in feedback too."
    assert q.explanation == "General feedback with = and ~."


def test_categories_are_noted_and_comments_ignored(everything):
    text = fixture("everything.gift")
    assert everything.notes[0] == (
        line_of(text, "$CATEGORY"),
        "category '$course$/top/Safeguarding/CSE awareness' ignored: Signpost has no categories",
    )
    assert "Comment lines" not in everything.markdown


def test_unsupported_questions_are_listed_with_line_and_why(everything):
    text = fixture("everything.gift")
    assert [
        (s.line, s.name, s.reason.split(" (")[0].split(":")[0]) for s in everything.skipped
    ] == [
        (line_of(text, "::Short answer::"), "Short answer", "short answer"),
        (line_of(text, "::Numerical::"), "Numerical", "numerical"),
        (line_of(text, "::Matching::"), "Matching", "matching"),
        (line_of(text, "::Essay::"), "Essay", "essay"),
        (line_of(text, "::Description::"), "Description", "description"),
        (line_of(text, "::Lower case::"), "Lower case", "short answer"),
    ]
    assert "Signpost cannot mark typed answers" in everything.skipped[0].reason
    assert "write T, TRUE, F or FALSE in capitals" in everything.skipped[-1].reason


# --- malformed input ----------------------------------------------------------------------

MALFORMED = [
    ("::No closing brace::", "unbalanced braces"),
    ("::Closing first::", "unbalanced braces"),
    ("::Nested::", "a second brace"),
    ("::Two blocks::", "a second brace"),
    ("::Unknown escape::", "unknown escape '\\q'"),
    ("::Backslash at the end::", "a backslash at the end of a line"),
    ("::Name not closed", "the question name is not closed"),
    ("::Two right::", "2 answers are marked right with '='"),
    ("::No right::", "no right answer"),
    ("::No positive weight::", "no right answer"),
    ("::Weight too big::", "a weight must be between -100% and 100%"),
    ("::One answer::", "a question needs at least two answers"),
    ("::One answer::", "no right answer"),
    ("::Empty answer::", "an answer has no text"),
    ("::Text first::", "text before the first answer"),
    ("::Twice::", "the answer 'no' appears twice"),
    ("::No text::", "the question has no text"),
]


def test_a_malformed_file_reports_every_error_by_line_and_imports_nothing():
    text = fixture("malformed.gift")
    result = gift_to_quiz(text, path="malformed.gift")
    found = [(line, message) for line, message in result.errors]
    assert len(found) == len(MALFORMED)
    for (needle, message), (line, reported) in zip(MALFORMED, found, strict=True):
        assert line == line_of(text, needle), (needle, reported)
        assert message in reported, (needle, reported)
    assert result.markdown == "" and result.questions == []
    assert result.problems()[0].format() == (
        f"malformed.gift:{line_of(text, '::No closing brace::')}: "
        "unbalanced braces: the answers go between one { and one }"
    )


def test_skip_errors_imports_only_the_good_questions():
    result = gift_to_quiz(fixture("malformed.gift"), skip_errors=True)
    assert len(result.errors) == len(MALFORMED)
    assert [q.key for q in result.questions] == ["good"]
    assert result.markdown.startswith("## Question: good\ntype: single\n")


def test_a_file_with_nothing_signpost_can_use_is_an_error():
    result = gift_to_quiz("// only a comment\n\nWho?{=a =b}\n")
    assert result.errors == [(1, "the file has no questions Signpost can import")]
    assert [s.line for s in result.skipped] == [3]


# --- hostile input ------------------------------------------------------------------------

UNSAFE = re.compile(r"<script|<iframe|<object|<svg|\son\w+\s*=|javascript:|vbscript:|data:", re.I)


def rendered(quiz_md: str, tmp_path: Path) -> str:
    """Every text of a quiz.md as Signpost renders it for learners."""
    quiz, problems = parse_file(_write(tmp_path, quiz_md))
    assert problems == []
    html = []
    for q in quiz.questions:
        html += [render(q.stem), render(q.explanation)]
        html += [render_inline(o.text) + render(o.feedback) for o in q.options]
    return "".join(html)


def test_hostile_html_is_sanitised_before_it_is_imported(tmp_path):
    text = fixture("hostile.gift")
    result = gift_to_quiz(text, skip_errors=True)
    assert [q.key for q in result.questions] == ["script", "markdown-html", "moodle-tags"]
    assert not UNSAFE.search(result.markdown)
    html = rendered(quiz_markdown({}, result.markdown), tmp_path)
    assert not UNSAFE.search(html)
    assert '<a href="https://www.nspcc.org.uk/" rel="noopener noreferrer">NSPCC</a>' in html
    assert "alert" not in html
    assert content_check(tmp_path, quiz_markdown({}, result.markdown)) == []


def test_a_markdown_javascript_link_is_refused_as_content_check_would(tmp_path):
    text = fixture("hostile.gift")
    result = gift_to_quiz(text)
    message = "question 'markdown-link': 'javascript:' links are not allowed"
    assert result.errors == [(line_of(text, "::Markdown link::"), message)]
    assert result.markdown == ""


# --- reading uploads ----------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused():
    data = b"Q?{=a ~b}\n\n" * (GIFT_MAX_BYTES // 11 + 1)
    assert len(data) > GIFT_MAX_BYTES
    with pytest.raises(ConversionError, match=r"big\.gift: the file is 1\.0 MB; the limit is"):
        read_bytes(data, "big.gift")
    assert read_bytes(data[:GIFT_MAX_BYTES], "ok.gift").startswith("Q?")


def test_a_binary_file_is_refused():
    with pytest.raises(ConversionError) as error:
        read_bytes((FIXTURES / "binary.gift").read_bytes(), "binary.gift")
    assert error.value.line == 5  # the PNG signature holds three line feeds before its NUL
    assert str(error.value) == (
        "binary.gift:5: the file contains a NUL byte: is it really a text file?"
    )


def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    with pytest.raises(ConversionError) as error:
        read_bytes((FIXTURES / "latin1.gift").read_bytes(), "latin1.gift")
    assert (error.value.line, str(error.value).split(": ", 1)[0]) == (3, "latin1.gift:3")
    assert "not UTF-8" in error.value.message


def test_a_byte_order_mark_and_windows_line_ends_are_accepted():
    data = "\ufeff// comment\r\n\r\n::Q::Right?{=Yes ~No}\r\n".encode()
    text = read_bytes(data, "windows.gift")
    assert text == "// comment\n\n::Q::Right?{=Yes ~No}\n"
    result = gift_to_quiz(text)
    assert result.questions[0].line == 3


# --- export and round trips ---------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[p.parent.name for p in SHIPPED])
def test_every_shipped_quiz_survives_export_and_reimport(path):
    quiz, problems = parse_file(path)
    assert problems == []
    result = gift_to_quiz(quiz_to_gift(quiz))
    assert result.errors == [] and result.skipped == []
    assert [same(q) for q in result.questions] == [same(q) for q in quiz.questions]


def test_every_gift_special_character_survives_the_round_trip(tmp_path):
    quiz, problems = parse_file(FIXTURES / "roundtrip-quiz.md")
    assert problems == []
    gift = quiz_to_gift(quiz)
    result = gift_to_quiz(gift)
    assert result.errors == []
    assert [same(q) for q in result.questions] == [same(q) for q in quiz.questions]
    again, problems = parse_file(_write(tmp_path, quiz_markdown({}, result.markdown)))
    assert problems == []
    assert [same(q) for q in again.questions] == [same(q) for q in quiz.questions]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "quiz.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_export_writes_gift_as_moodle_does():
    quiz, _ = parse_file(FIXTURES / "roundtrip-quiz.md")
    gift = quiz_to_gift(quiz)
    assert gift.startswith(
        "// Round trip: every character GIFT treats specially: exported from Signpost\n"
        "$CATEGORY: signpost/interop_fixtures\n\n"
    )
    assert "\t=All of \\~ \\= \\# \\{ \\} \\: \\\\\\\\ in an answer#And in feedback\\: " in gift
    assert "\t~[markdown]%50% at the start of an answer#[markdown]%100% at the start" in gift
    assert "\t~%33.33333%First right#Yes.\n" in gift
    assert "\t~%-100%Wrong#No.\n" in gift
    assert "{FALSE##Right\\: any child can be exploited.####Boys and young men" in gift
    assert "{TRUE#No\\: the Children Act 1989 says under 18.#Yes.####Children Act 1989.}" in gift
    assert "\n\n\n" not in gift.strip() and "\r" not in gift


# --- Moodle's parser ----------------------------------------------------------------------
# moodle_reads (tests/interop_fixtures/moodle_gift.py) follows Moodle's own importer step by
# step, including its check that every weight is one of Moodle's grade fractions.


def _expected(question) -> dict:
    if question.kind == "true-false":
        right = next(o for o in question.options if o.correct)
        wrong = next(o for o in question.options if not o.correct)
        tf = {"qtype": "truefalse", "truth": right.text == "True"}
        return tf | {"wrong": wrong.feedback, "right": right.feedback}
    return {
        "qtype": "multichoice",
        "single": question.kind == "single",
        "answers": [(o.text, o.correct, o.feedback) for o in question.options],
    }


def _as_read(moodle: dict) -> dict:
    keep = {k: moodle[k] for k in ("qtype", "single", "truth", "wrong", "right") if k in moodle}
    if "answers" in moodle:
        keep["answers"] = [(t, f > 0, fb) for t, f, fb in moodle["answers"]]
    return keep


@pytest.mark.parametrize(
    "path", [*SHIPPED, FIXTURES / "roundtrip-quiz.md"], ids=lambda p: p.parent.name
)
def test_moodles_parser_reads_the_export_as_the_same_questions(path):
    quiz, _ = parse_file(path)
    read = moodle_reads(quiz_to_gift(quiz))
    assert read[0] == {"qtype": "category", "category": f"signpost/{path.parent.name}"}
    assert len(read) == len(quiz.questions) + 1
    for question, moodle in zip(quiz.questions, read[1:], strict=True):
        assert (moodle["name"], moodle["format"], moodle["blank"]) == (
            question.key,
            "markdown",
            False,
        )
        assert (moodle["text"], moodle["general"]) == (question.stem, question.explanation)
        assert _as_read(moodle) == _expected(question)


def test_moodles_parser_and_the_importer_agree_on_the_fixture(everything):
    kinds = {"multichoice": {"single", "multiple"}, "truefalse": {"true-false"}}
    text = fixture("everything.gift")
    moodle = [q for q in _moodle_reads_lenient(text) if q.get("qtype") != "category"]
    imported = iter(everything.questions)
    for question in moodle:
        if question["qtype"] not in kinds:
            continue
        ours = next(imported)
        assert ours.kind in kinds[question["qtype"]]
        if question["qtype"] == "truefalse":  # Moodle: {T#wrong answer's#right answer's}
            right = next(o for o in ours.options if o.correct)
            wrong = next(o for o in ours.options if not o.correct)
            assert (right.text == "True", right.feedback) == (question["truth"], question["right"])
            assert wrong.feedback == question["wrong"]
    assert next(imported, None) is None


def _moodle_reads_lenient(gift: str) -> list[dict]:
    """Moodle's reading of a file that also holds types Signpost skips (marked 'other')."""
    found = []
    for block in moodle_blocks(gift):
        body = re.sub(r"^::.*?::", "", pre(block), flags=re.S).strip()
        answers = body[body.find("{") + 1 : body.find("}")].strip() if "{" in body else None
        head = (answers or "").split("#")[0].strip()
        if block.startswith("$CATEGORY") or answers is None or not answers:
            found.append({"qtype": "category" if block.startswith("$") else "other"})
        elif "~" in answers or head in ("T", "TRUE", "F", "FALSE"):
            found.append(moodle_question(block))
        else:
            found.append({"qtype": "other"})
    return found


def test_quiz_markdown_fills_in_front_matter():
    result = gift_to_quiz("::A::Q?{=a ~b}\n\n::B::R?{T}\n")
    text = quiz_markdown(None, result.markdown)
    assert text.startswith("---\ntitle: Check your understanding\npass_mark: 80\ndraw: 2\n---\n\n")
    assert quiz_markdown({"draw": 1, "attempts": 3}, result.markdown).startswith(
        "---\ntitle: Check your understanding\npass_mark: 80\ndraw: 1\nattempts: 3\n---\n"
    )


def test_question_text_that_quiz_md_would_misread_is_guarded(tmp_path):
    gift = (
        "::Guarded::[markdown]Explanation\\: not yet\n- [ ] not an option\n## Not a section"
        "{=a ~b ####\\#\\# A heading in the explanation}\n"
    )
    result = gift_to_quiz(gift)
    q = result.questions[0]
    assert q.stem == "Explanation\\: not yet\n- \\[ ] not an option\n### Not a section"
    assert q.explanation == "### A heading in the explanation"
    quiz, problems = parse_file(_write(tmp_path, quiz_markdown({}, result.markdown)))
    assert problems == []
    assert [same(x) for x in quiz.questions] == [same(q)]
    assert render(q.stem).startswith("<p>Explanation: not yet</p>\n<ul>\n<li>[ ] not an option")


def test_a_missing_word_in_html_text():
    result = gift_to_quiz(
        "::W::[html]<p>Grant is {~buried =entombed} in <b>Grant's</b> tomb.</p>\n"
    )
    assert result.questions[0].stem == "Grant is \\_\\_\\_\\_\\_ in **Grant's** tomb."


def test_the_example_in_the_trainers_guide_is_what_import_gives():
    guide = (Path(__file__).parent.parent / "docs" / "gift-and-twine.md").read_text()
    blocks = re.findall(r"```\w*\n(.*?)```", guide, re.S)
    gift = next(b for b in blocks if b.startswith("::Sixteen::"))
    expected = next(b for b in blocks if b.startswith("## Question: sixteen"))
    assert gift_to_quiz(gift).markdown == expected
