"""`content check`: every validation rule, each shown by a small broken copy of a valid tree.

Each test copies tests/content_fixtures/valid, makes one small edit, and asserts the problem
that `load` reports: the right file, the right line and a recognisable message. Line numbers
are those of the fixture files (see them with `cat -n`), after the edit.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signpost.content.loader import load

VALID = Path(__file__).parent / "content_fixtures" / "valid"
REPO = Path(__file__).parents[1]


def edit(root: Path, file: str, *, replace=None, append=None, text=None, data=None, delete=False):
    """Change one file (or folder) of a content tree in place."""
    target = root / file
    if delete:
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if data is not None:
        target.write_bytes(data)
        return
    if text is not None:
        target.write_text(text, encoding="utf-8")
        return
    content = target.read_text(encoding="utf-8")
    for old, new in [replace] if isinstance(replace, tuple) else replace or []:
        assert old in content, f"{old!r} is not in {file}"
        content = content.replace(old, new, 1)
    target.write_text(content + (append or ""), encoding="utf-8")


def broken(tmp_path: Path, file: str | None = None, **change) -> Path:
    """A copy of the valid tree with one small edit to `file` (see `edit`)."""
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    if file is not None:
        edit(root, file, **change)
    return root


def found(root: Path) -> list[tuple[str, int, str]]:
    """(file relative to root, line, message) for each problem in the tree."""
    _, problems = load(root)
    base = root.resolve()
    result = []
    for problem in problems.sorted():
        path = problem.path.resolve()
        name = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        result.append((name, problem.line, problem.message))
    return result


def expect(root: Path, file: str, line: int, fragment: str, alone: bool = True) -> list:
    """Assert that the tree has a problem at `file:line` whose message contains `fragment`.

    With `alone`, it must be the only problem: the edit broke exactly one rule.
    """
    problems = found(root)
    listing = "\n".join(f"{f}:{n}: {m}" for f, n, m in problems)
    assert any(f == file and n == line and fragment in m for f, n, m in problems), (
        f"expected {file}:{line}: ...{fragment}... in:\n{listing}"
    )
    if alone:
        assert len(problems) == 1, f"expected only {file}:{line}, got:\n{listing}"
    return problems


def test_the_valid_fixture_has_no_problems():
    tree, problems = load(VALID)
    assert not problems, [p.format() for p in problems.sorted()]
    assert [m.slug for m in tree.modules] == ["basics", "next-steps"]
    assert [c.slug for c in tree.courses] == ["demo"]


# --- front matter -------------------------------------------------------------------------


def test_missing_front_matter(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", text="## Question: a\n\nWhat?\n")
    expect(root, "basics/quiz.md", 1, "file must start with front matter")


def test_missing_front_matter_in_a_lesson_names_the_lesson(tmp_path):
    root = broken(tmp_path, "basics/02-second.md", text="# Second heading\n\nText.\n")
    problems = expect(root, "basics/02-second.md", 1, "must start with front matter", alone=False)
    # The lesson could not be read, so the link to it from the first lesson is reported too.
    assert ("basics/01-first.md", 8, "broken link: no lesson '02-second.md'") in problems


def test_unclosed_front_matter(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("wait_minutes: 0\n---\n", "wait_minutes: 0\n")
    )
    expect(root, "basics/quiz.md", 1, "front matter is not closed")


def test_invalid_yaml_names_its_line(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("pass_mark: 80", "pass_mark: 80: 90"))
    expect(root, "basics/quiz.md", 3, "not valid YAML: mapping values are not allowed here")


def test_invalid_yaml_deep_in_a_list_names_its_line(tmp_path):
    root = broken(
        tmp_path,
        "basics/module.md",
        replace=("    publisher: Department for Education", "    publisher: Department: Education"),
    )
    problems = expect(root, "basics/module.md", 16, "mapping values are not allowed", alone=False)
    # The module could not be read, so the course and the links to its lessons are wrong too.
    assert ("courses/demo.md", 5, "course lists module 'basics', which does not exist") in problems


def test_yaml_with_a_tab_indent(tmp_path):
    root = broken(tmp_path, "basics/module.md", replace=("  - Know where", "\t- Know where"))
    expect(root, "basics/module.md", 9, "not valid YAML: found character '\\t'", alone=False)


def test_front_matter_that_is_not_name_value_lines(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("title: Check your understanding\n", "- a\n")
    )
    # A list item among "name: value" lines is a YAML error at that line...
    expect(root, "basics/quiz.md", 3, "not valid YAML")
    root = broken(tmp_path / "2", "basics/quiz.md", text="---\n- a\n- b\n---\n\n## Question: a\n")
    # ...and front matter that is only a list is not a set of fields.
    expect(root, "basics/quiz.md", 2, "front matter must be a set of 'name: value' lines")


MODULE_FIELDS = [
    ("title", "title: The basics\n"),
    ("summary", "summary: A small module with every kind of part.\n"),
    ("level", "level: 1\n"),
    ("audience", "audience: All staff\n"),
    ("minutes", "minutes: 20\n"),
    ("outcomes", "outcomes:\n  - Explain the basics.\n  - Know where to go next.\n"),
    ("version", "version: 1.0\n"),
    ("review_by", "review_by: 2027-11-01\n"),
    ("references", "references:\n  - title: A guide for practitioners\n    publisher: "
     "Department for Education\n    year: 2017\n    url: https://www.gov.uk/example\n"),
]  # fmt: skip


@pytest.mark.parametrize(("field", "lines"), MODULE_FIELDS, ids=[f for f, _ in MODULE_FIELDS])
def test_missing_required_module_field(tmp_path, field, lines):
    root = broken(tmp_path, "basics/module.md", replace=(lines, ""))
    expect(root, "basics/module.md", 1, f"missing required field '{field}'")


COURSE_FIELDS = [
    ("title", "title: Demo course\n"),
    ("summary", "summary: A tiny course used by the tests.\n"),
    ("level", "level: 1\n"),
    ("modules", "modules:\n  - basics\n  - next-steps\n"),
    ("validity_months", "validity_months: 24\n"),
    ("cpd_hours", "cpd_hours: 1.5\n"),
]


@pytest.mark.parametrize(("field", "lines"), COURSE_FIELDS, ids=[f for f, _ in COURSE_FIELDS])
def test_missing_required_course_field(tmp_path, field, lines):
    root = broken(tmp_path, "courses/demo.md", replace=(lines, ""))
    expect(root, "courses/demo.md", 1, f"missing required field '{field}'")


@pytest.mark.parametrize(
    ("file", "lines", "field"),
    [
        ("basics/02-second.md", "title: The second lesson\n", "title"),
        ("basics/02-second.md", "minutes: 5\n", "minutes"),
        ("basics/quiz.md", "pass_mark: 80\n", "pass_mark"),
        ("basics/quiz.md", "draw: 2\n", "draw"),
        ("basics/scenario-x.md", 'title: "X: a test scenario"\n', "title"),
        ("basics/scenario-x.md", "summary: You decide what to do.\n", "summary"),
    ],
)
def test_missing_required_field_in_other_files(tmp_path, file, lines, field):
    root = broken(tmp_path, file, replace=(lines, ""))
    expect(root, file, 1, f"missing required field '{field}'")


def test_empty_required_field(tmp_path):
    root = broken(tmp_path, "basics/module.md", replace=("audience: All staff", "audience:"))
    expect(root, "basics/module.md", 5, "missing required field 'audience'")


def test_unknown_field(tmp_path):
    root = broken(tmp_path, "basics/module.md", replace=("summary:", "colour: blue\nsummary:"))
    expect(root, "basics/module.md", 3, "unknown front matter field 'colour'")


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "message"),
    [
        ("basics/module.md", "level: 1", "level: 4", 4, "'level' must be one of: 1, 2, 3"),
        ("basics/module.md", "level: 1", "level: [1]", 4, "'level' must be one of: 1, 2, 3"),
        ("basics/module.md", "level: 1", "level: true", 4, "'level' must be one of: 1, 2, 3"),
        (
            "basics/module.md",
            "minutes: 20",
            "minutes: twenty",
            6,
            "'minutes' must be a whole number",
        ),
        ("basics/module.md", "minutes: 20", "minutes: 2000", 6, "'minutes' must be between 1 and"),
        (
            "basics/module.md",
            "review_by: 2027-11-01",
            "review_by: soon",
            11,
            "'review_by' must be a real date written YYYY-MM-DD",
        ),
        (
            "basics/module.md",
            "review_by: 2027-11-01",
            "review_by: 2027-13-01",
            11,
            "'review_by' must be a real date",
        ),
        (
            "basics/module.md",
            "review_by: 2027-11-01",
            "review_by: 2027-02-30",
            11,
            "'review_by' must be a real date",
        ),
        (
            "basics/module.md",
            "review_by: 2027-11-01",
            "review_by: 2027-11-01 25:00:00",
            11,
            "'review_by' must be a real date",
        ),
        (
            "basics/module.md",
            "review_by: 2027-11-01",
            "review_by: 20271101",
            11,
            "'review_by' must be a real date",
        ),
        (
            "basics/module.md",
            "  - Explain the basics.\n  - Know where to go next.",
            " Many things",
            7,
            "'outcomes' must be a list of text items",
        ),
        (
            "basics/module.md",
            "title: The basics",
            "title: [The, basics]",
            2,
            "'title' must be text",
        ),
        ("basics/module.md", "  quiz: true", "  quiz: yes please", 19, "completion takes lessons"),
        ("basics/module.md", "    year: 2017", "    year: [2017]", 14, "must be text"),
        (
            "basics/module.md",
            "  - title: A guide for practitioners",
            "  - publisher: Nobody",
            14,
            "each reference needs a 'title'",
        ),
        (
            "basics/module.md",
            "url: https://www.gov.uk/example",
            "url: www.gov.uk",
            14,
            "reference url must start with https://",
        ),
        ("courses/demo.md", "cpd_hours: 1.5", "cpd_hours: lots", 9, "'cpd_hours' must be a number"),
        (
            "courses/demo.md",
            "validity_months: 24",
            "validity_months: 0",
            8,
            "'validity_months' must be between 1 and 120",
        ),
        (
            "basics/02-second.md",
            "minutes: 5",
            "minutes: 5.5",
            3,
            "'minutes' must be a whole number",
        ),
        (
            "basics/quiz.md",
            "attempts: 0",
            "attempts: -1",
            5,
            "'attempts' must be between 0 and 100",
        ),
        ("basics/scenario-x.md", "role: Tester", "role: {a: b}", 5, "'role' must be text"),
    ],  # fmt: skip
)
def test_wrong_type(tmp_path, file, old, new, line, message):
    root = broken(tmp_path, file, replace=(old, new))
    expect(root, file, line, message)


# --- names and layout ---------------------------------------------------------------------


def test_invalid_course_slug(tmp_path):
    root = broken(tmp_path)
    (root / "courses/demo.md").rename(root / "courses/Demo_Course.md")
    expect(root, "courses/Demo_Course.md", 1, "'Demo_Course' is not a valid slug")


def test_invalid_module_slug(tmp_path):
    root = broken(tmp_path)
    (root / "next-steps").rename(root / "Next_Steps")
    problems = expect(
        root, "Next_Steps/module.md", 1, "'Next_Steps' is not a valid slug", alone=False
    )
    assert (
        "courses/demo.md",
        5,
        "course lists module 'next-steps', which does not exist",
    ) in problems
    assert len(problems) == 2


def test_invalid_question_id(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("## Question: pick-many", "## Question: Pick_Many")
    )
    expect(root, "basics/quiz.md", 23, "'Pick_Many' is not a valid id")


def test_invalid_node_id(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=[("## Ending: safe", "## Ending: Safe_Place"), ("-> safe", "-> Safe_Place")],
    )
    expect(root, "basics/scenario-x.md", 25, "'Safe_Place' is not a valid id")


def test_duplicate_lesson_slug(tmp_path):
    root = broken(tmp_path)
    shutil.copy(root / "basics/02-second.md", root / "basics/03-first.md")
    expect(root, "basics/03-first.md", 1, "duplicate lesson slug 'first' (also 01-first.md)")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("basics/notes.md", "unrecognised file name"),
        ("basics/1-third.md", "unrecognised file name"),
        ("basics/03-Third.md", "unrecognised file name"),
        ("basics/scenario_y.md", "unrecognised file name"),
        ("basics/notes.txt", "unrecognised file"),
        ("basics/images/notes.md", "unrecognised file"),
    ],
)
def test_unrecognised_file_name(tmp_path, name, message):
    root = broken(tmp_path, name, text="---\ntitle: x\nminutes: 1\n---\n\nText.\n")
    expect(root, name, 1, message)


def test_module_folder_without_module_md(tmp_path):
    root = broken(tmp_path, "next-steps/module.md", delete=True)
    problems = expect(root, "next-steps", 1, "module folder has no module.md", alone=False)
    assert (
        "courses/demo.md",
        5,
        "course lists module 'next-steps', which does not exist",
    ) in problems


def test_module_with_no_lessons(tmp_path):
    root = broken(tmp_path, "next-steps/01-next.md", delete=True)
    expect(root, "next-steps/module.md", 1, "the module has no lessons")


def test_lesson_with_no_text(tmp_path):
    root = broken(tmp_path, "next-steps/01-next.md", text="---\ntitle: Empty\nminutes: 1\n---\n\n")
    expect(root, "next-steps/01-next.md", 5, "the lesson has no text")


def test_course_listing_a_module_that_does_not_exist(tmp_path):
    root = broken(
        tmp_path, "courses/demo.md", replace=("  - next-steps\n", "  - next-steps\n  - nowhere\n")
    )
    expect(root, "courses/demo.md", 5, "course lists module 'nowhere', which does not exist")


def test_module_listed_twice(tmp_path):
    root = broken(
        tmp_path, "courses/demo.md", replace=("  - next-steps\n", "  - next-steps\n  - basics\n")
    )
    expect(root, "courses/demo.md", 5, "module 'basics' is listed more than once")


# --- quiz ---------------------------------------------------------------------------------


def test_question_with_no_correct_answer(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("- [x] The right answer", "- [ ] The right answer")
    )
    expect(root, "basics/quiz.md", 9, "question 'pick-one' has no correct answer")


def test_single_question_with_two_correct_answers(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("- [ ] A wrong answer", "- [x] A wrong answer")
    )
    expect(
        root, "basics/quiz.md", 9, "question 'pick-one' is single-answer but has 2 correct options"
    )


def test_question_type_defaults_to_single(tmp_path):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=("type: multiple\n", ""),
    )
    expect(root, "basics/quiz.md", 23, "'pick-many' is single-answer but has 2 correct options")


def test_unknown_question_type(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("type: multiple", "type: several"))
    problems = expect(root, "basics/quiz.md", 24, "question type must be one of", alone=False)
    assert len(problems) == 2  # and, read as single, it has two correct options


def test_true_false_with_wrong_options(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("- [ ] True", "- [ ] Yes"))
    expect(root, "basics/quiz.md", 37, "must have exactly the options True and False")


def test_true_false_with_three_options(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("- [x] False", "- [ ] Maybe\n- [x] False"))
    expect(root, "basics/quiz.md", 37, "must have exactly the options True and False")


def test_true_false_with_both_correct(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("- [ ] True", "- [x] True"))
    expect(root, "basics/quiz.md", 37, "must have exactly one correct option")


def test_question_with_fewer_than_two_options(tmp_path):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=(
            "- [ ] A wrong answer\n  Feedback: No, that is wrong.\n"
            "  It is wrong for two reasons.\n",
            "",
        ),
    )
    expect(root, "basics/quiz.md", 9, "question 'pick-one' needs at least two options")


def test_question_with_no_options(tmp_path):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=("- [ ] True\n  Feedback: No, it is not.\n- [x] False\n  Feedback: Right.\n", ""),
    )
    problems = expect(root, "basics/quiz.md", 37, "needs at least two options", alone=False)
    assert len(problems) == 2  # and a true-false question needs True and False


def test_question_with_no_explanation(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("Explanation: Both right ones are right.\n", "")
    )
    expect(root, "basics/quiz.md", 23, "question 'pick-many' has no 'Explanation:'")


def test_question_with_no_text(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("The sky is green.\n", ""))
    expect(root, "basics/quiz.md", 37, "question 'true-or-false' has no question text")


def test_duplicate_question_id(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("## Question: pick-many", "## Question: pick-one")
    )
    expect(root, "basics/quiz.md", 23, "duplicate question id 'pick-one' (first on line 9)")


def test_the_same_option_twice(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("- [ ] Wrong", "- [ ] Right one"))
    expect(root, "basics/quiz.md", 32, "the same option appears twice")


def test_pool_smaller_than_draw(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("draw: 2", "draw: 4"))
    expect(root, "basics/quiz.md", 4, "the pool has 3 questions but each attempt draws 4")


@pytest.mark.parametrize("mark", ["0", "101", "eighty"])
def test_pass_mark_out_of_range(tmp_path, mark):
    root = broken(tmp_path, "basics/quiz.md", replace=("pass_mark: 80", f"pass_mark: {mark}"))
    message = "whole number" if mark == "eighty" else "'pass_mark' must be between 1 and 100"
    expect(root, "basics/quiz.md", 3, message)


def test_text_after_options_not_indented(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("  Feedback: Yes.\n", "Feedback: Yes.\n"))
    expect(root, "basics/quiz.md", 29, "unexpected text after the options")


def test_malformed_option_line(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", replace=("- [x] Right one", "- [y] Right one"))
    problems = expect(root, "basics/quiz.md", 28, "an option must start '- [x] '", alone=False)
    assert all(f == "basics/quiz.md" for f, _, _ in problems)


def test_quiz_with_no_questions(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", text="---\npass_mark: 80\ndraw: 1\n---\n\nNothing.\n")
    problems = expect(root, "basics/quiz.md", 5, "the quiz has no questions", alone=False)
    assert [(n, m.split(" (")[0].split(";")[0]) for _, n, m in problems] == [
        (5, "the quiz has no questions"),
        (6, "text before the first section"),
    ]


def test_unknown_section_heading_in_a_quiz(tmp_path):
    root = broken(tmp_path, "basics/quiz.md", append="\n## Questions: more\n")
    expect(root, "basics/quiz.md", 49, "unknown section heading; expected '## Question: id'")


# --- scenario -----------------------------------------------------------------------------


def test_choice_to_unknown_node(tmp_path):
    root = broken(
        tmp_path, "basics/scenario-x.md", replace=("Ignore it -> ignored", "Ignore it -> nowhere")
    )
    expect(root, "basics/scenario-x.md", 14, "choice leads to unknown node 'nowhere'")


def test_unreachable_node(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        append="\n## Ending: orphan\n\nNobody gets here.\n\nDebrief: Nothing to say.\n",
    )
    expect(root, "basics/scenario-x.md", 40, "node 'orphan' cannot be reached from the start")


def test_reachable_node_with_no_way_to_an_ending(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=(
            "- [unsafe] Ignore it -> ignored\n",
            "- [unsafe] Ignore it -> ignored\n- [unsafe] Dither -> stuck\n",
        ),
        append="\n## Node: stuck\n\nRound and round.\n\n- [recommended] Think again -> stuck\n",
    )
    expect(root, "basics/scenario-x.md", 41, "from node 'stuck' there is no way to an ending")


def test_recommended_path_that_loops(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=(
            "- [recommended] Tell the safeguarding lead -> safe",
            "- [recommended] Start again -> begin\n"
            "- [acceptable] Tell the safeguarding lead -> safe",
        ),
    )
    expect(root, "basics/scenario-x.md", 4, "never reaches an ending (it loops at 'ask')")


def test_scenario_with_only_one_ending(tmp_path):
    root = broken(tmp_path, "basics/scenario-x.md")
    path = root / "basics/scenario-x.md"
    text = path.read_text().replace("-> ignored", "-> safe")
    path.write_text(text[: text.index("## Ending: ignored")])
    expect(root, "basics/scenario-x.md", 7, "a scenario needs more than one ending")


def test_ending_without_debrief(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("\nDebrief: Noticing is not enough without telling someone.\n", ""),
    )
    expect(root, "basics/scenario-x.md", 33, "ending 'ignored' has no 'Debrief:'")


def test_decision_node_without_a_recommended_choice(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("- [recommended] Tell the", "- [acceptable] Tell the"),
    )
    expect(root, "basics/scenario-x.md", 17, "node 'ask' has no [recommended] choice")


def test_decision_node_without_choices(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("- [recommended] Tell the safeguarding lead -> safe\n  Feedback: Good.\n"
                 "- [acceptable] Wait and see -> ignored\n", ""),
    )  # fmt: skip
    problems = expect(root, "basics/scenario-x.md", 17, "node 'ask' has no choices", alone=False)
    # ...so 'ask' cannot lead to an ending and 'safe' cannot be reached.
    assert problems == [
        ("basics/scenario-x.md", 17, "from node 'ask' there is no way to an ending"),
        (
            "basics/scenario-x.md",
            17,
            "node 'ask' has no choices; make it an '## Ending:' or add choices",
        ),
        ("basics/scenario-x.md", 22, "node 'safe' cannot be reached from the start"),
    ]


def test_ending_with_choices(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=(
            "The child gets help.\n",
            "The child gets help.\n- [recommended] Go on -> begin\n",
        ),
    )
    expect(root, "basics/scenario-x.md", 29, "an ending cannot have choices")


@pytest.mark.parametrize(
    "line",
    [
        "- [acceptable] Wait and see",  # no target
        "- [fine] Wait and see -> ignored",  # unknown rating
        "- [acceptable] -> ignored",  # no text
    ],
)
def test_malformed_choice_line(tmp_path, line):
    root = broken(
        tmp_path, "basics/scenario-x.md", replace=("- [acceptable] Wait and see -> ignored", line)
    )
    expect(root, "basics/scenario-x.md", 23, "a choice must be '- [recommended|acceptable|unsafe]")


def test_text_after_choices_not_indented(tmp_path):
    root = broken(
        tmp_path, "basics/scenario-x.md", replace=("  Feedback: Good.", "Feedback: Good.")
    )
    expect(root, "basics/scenario-x.md", 22, "unexpected text after the choices")


def test_start_node_missing(tmp_path):
    root = broken(tmp_path, "basics/scenario-x.md", replace=("start: begin", "start: beginning"))
    expect(root, "basics/scenario-x.md", 4, "start node 'beginning' does not exist")


def test_start_field_missing(tmp_path):
    root = broken(tmp_path, "basics/scenario-x.md", replace=("start: begin\n", ""))
    problems = expect(
        root, "basics/scenario-x.md", 1, "missing required field 'start'", alone=False
    )
    assert all(f == "basics/scenario-x.md" for f, _, _ in problems)


def test_duplicate_node_id(tmp_path):
    root = broken(
        tmp_path, "basics/scenario-x.md", replace=("## Ending: ignored", "## Ending: safe")
    )
    problems = expect(
        root, "basics/scenario-x.md", 33, "duplicate node id 'safe' (first on line 25)", alone=False
    )
    assert all(f == "basics/scenario-x.md" for f, _, _ in problems)


def test_unknown_outcome(tmp_path):
    root = broken(tmp_path, "basics/scenario-x.md", replace=("outcome: poor", "outcome: awful"))
    expect(root, "basics/scenario-x.md", 34, "outcome must be one of: good, mixed, poor")


def test_node_with_no_narrative(tmp_path):
    root = broken(tmp_path, "basics/scenario-x.md", replace=("You listen carefully.\n", ""))
    expect(root, "basics/scenario-x.md", 17, "node 'ask' has no narrative")


# --- scenario ratings and order ---------------------------------------------------------


def test_choice_without_a_rating(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("- [acceptable] Wait and see -> ignored", "- Wait and see -> ignored"),
    )
    expect(root, "basics/scenario-x.md", 23, "this choice has no rating")


def test_first_choice_without_a_rating_is_not_taken_for_narrative(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("- [recommended] Ask what is wrong -> ask", "- Ask what is wrong -> ask"),
    )
    problems = expect(root, "basics/scenario-x.md", 12, "this choice has no rating", alone=False)
    # ...and without it the node has no recommended choice left.
    assert ("basics/scenario-x.md", 8, "node 'begin' has no [recommended] choice") in problems


def test_unknown_rating_is_named(tmp_path):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("- [acceptable] Wait and see", "- [fine] Wait and see"),
    )
    expect(root, "basics/scenario-x.md", 23, "(unknown rating 'fine')")


POSITIONAL = [
    "All of the above",
    "None of the above",
    "Both of the above",
    "The option above, but sooner",
    "As above",
    "Option B",
    "Answer (c), and tell your lead",
    "The first option",
    "The last choice",
]


@pytest.mark.parametrize("text", POSITIONAL)
def test_a_quiz_option_that_relies_on_its_position(tmp_path, text):
    root = broken(tmp_path, "basics/quiz.md", replace=("- [ ] Wrong", f"- [ ] {text}"))
    expect(root, "basics/quiz.md", 32, "learners see them shuffled")


@pytest.mark.parametrize("text", POSITIONAL[:3])
def test_a_scenario_choice_that_relies_on_its_position(tmp_path, text):
    root = broken(
        tmp_path,
        "basics/scenario-x.md",
        replace=("- [acceptable] Wait and see", f"- [acceptable] {text}"),
    )
    expect(root, "basics/scenario-x.md", 23, f"'{text}' depends on the order")


def test_option_feedback_that_points_at_another_option(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("  Feedback: No.\n", "  Feedback: No: see option A.\n")
    )
    expect(root, "basics/quiz.md", 33, "'option A' depends on the order")


def test_ordinary_words_near_position_words_pass(tmp_path):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=("- [ ] Wrong", "- [ ] Answer a question above all with the next step"),
    )
    assert found(root) == []


# --- quiz settings: lesson and wait_after_failures ---------------------------------------


def test_question_lesson_names_a_lesson_of_the_module(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("type: single\n", "type: single\nlesson: 02-second\n")
    )
    tree, problems = load(root)
    assert not problems
    assert [q.lesson for q in tree.modules[0].quiz.questions] == ["02-second", None, None]


def test_question_lesson_that_is_not_in_the_module(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("type: single\n", "type: single\nlesson: 01-next\n")
    )
    expect(root, "basics/quiz.md", 11, "names lesson '01-next', which is not a lesson of this")


def test_question_lesson_that_is_not_a_file_name(tmp_path):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=("type: multiple\n", "type: multiple\nlesson: The second lesson\n"),
    )
    problems = expect(root, "basics/quiz.md", 25, "must name a lesson file", alone=False)
    assert all(n == 25 for _, n, _ in problems)


@pytest.mark.parametrize("value", ["-1", "21", "two"])
def test_wait_after_failures_out_of_range(tmp_path, value):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=("wait_minutes: 0\n", f"wait_minutes: 0\nwait_after_failures: {value}\n"),
    )
    message = "whole number" if value == "two" else "between 0 and 20"
    expect(root, "basics/quiz.md", 7, message)


# --- local details ------------------------------------------------------------------------


def test_known_local_details_with_and_without_fallback_pass(tmp_path):
    root = broken(
        tmp_path,
        "basics/02-second.md",
        append="\nCall {{local.front_door_phone}} or {{local.lado|your LADO}}.\n",
    )
    assert found(root) == []


def test_unknown_local_detail(tmp_path):
    root = broken(tmp_path, "basics/02-second.md", append="\nCall {{local.xyz}} now.\n")
    problems = expect(root, "basics/02-second.md", 10, "unknown local detail 'xyz' (known: ")
    assert "front_door_phone, " in problems[0][2]


@pytest.mark.parametrize(
    "text",
    ["{{local.}}", "{{ local.lado }}", "{{local.lado", "{{local.Lado}}", "{local.lado}"],
)
def test_malformed_local_detail(tmp_path, text):
    root = broken(tmp_path, "basics/02-second.md", append=f"\nA line.\nCall {text} now.\n")
    expect(root, "basics/02-second.md", 11, "malformed local detail")


@pytest.mark.parametrize(
    ("file", "old", "line"),
    [
        ("courses/demo.md", "Everyone.", 16),  # course page
        ("courses/demo.md", "A tiny course used by the tests.", 3),  # course summary
        ("courses/demo.md", "I can explain the basics.", 11),  # a confidence statement
        ("basics/module.md", "What this module covers.", 23),  # module contents page
        ("basics/module.md", "A small module with every kind of part.", 3),  # summary
        ("basics/module.md", "Know where to go next.", 9),  # the second outcome
        ("basics/module.md", "This module is only a test.", 13),  # content note
        ("basics/01-first.md", "# First heading", 6),  # lesson
        ("basics/quiz.md", "Which one is right?", 12),  # question text
        ("basics/quiz.md", "The right answer", 14),  # option
        ("basics/quiz.md", "It is wrong for two reasons.", 18),  # option feedback
        ("basics/quiz.md", "The second line of the explanation.", 21),  # explanation
        ("basics/scenario-x.md", "You decide what to do.", 3),  # scenario summary
        ("basics/scenario-x.md", "Something worrying happens.", 10),  # narrative
        ("basics/scenario-x.md", "Ask what is wrong", 12),  # choice
        ("basics/scenario-x.md", "Asking is where protection starts.", 13),  # choice feedback
        ("basics/scenario-x.md", "That is what protects children.", 31),  # debrief
    ],
)
def test_unknown_local_detail_in_every_kind_of_text(tmp_path, file, old, line):
    root = broken(tmp_path, file, replace=(old, f"{old} {{{{local.nope}}}}"))
    expect(root, file, line, "unknown local detail 'nope'")


# --- Markdown: unsafe HTML, links, images ---------------------------------------------------

# Appended to basics/02-second.md (8 lines), these start on line 10.
UNSAFE = [
    ("<script>alert(1)</script>", "raw HTML <script> is not allowed"),
    ('<iframe src="https://example.org"></iframe>', "raw HTML <iframe> is not allowed"),
    ('<object data="x.swf"></object>', "raw HTML <object> is not allowed"),
    ('Click <b onclick="steal()">here</b>.', "HTML event handlers (on...=) are not allowed"),
    ('<img src="images/dot.svg" alt="x" onerror="steal()">', "event handlers (on...=)"),
    ('<p style="color: red">Red</p>', "inline styles are not allowed"),
    ("<style>p { color: red }</style>", "inline styles are not allowed"),
    ('<a href="javascript:alert(1)">Go</a>', "'javascript:' links are not allowed"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">Go</a>', "'data:' links are not allowed"),
    ("[Go](javascript:alert(1))", "'javascript:' links are not allowed"),
    ("[Go](JavaScript:alert(1))", "'javascript:' links are not allowed"),
    ("[Go](data:text/html;base64,PHNjcmlwdD4=)", "'data:' links are not allowed"),
    ("[Go](data:image/png;base64,iVBORw0KGgo=)", "'data:' links are not allowed"),
    ("[Go](vbscript:msgbox(1))", "'vbscript:' links are not allowed"),
    ("<javascript:alert(1)>", "'javascript:' links are not allowed"),
    ("[Go](<javascript:alert(1)>)", "'javascript:' links are not allowed"),
]


@pytest.mark.parametrize(("markdown", "message"), UNSAFE, ids=[m for _, m in UNSAFE])
def test_unsafe_html_and_links(tmp_path, markdown, message):
    root = broken(tmp_path, "basics/02-second.md", append=f"\n{markdown}\n")
    problems = expect(root, "basics/02-second.md", 10, message, alone=False)
    assert {(f, n) for f, n, _ in problems} == {("basics/02-second.md", 10)}


def test_javascript_link_reference_definition(tmp_path):
    root = broken(tmp_path, "basics/02-second.md", append="\n[Go][x]\n\n[x]: javascript:alert(1)\n")
    expect(root, "basics/02-second.md", 12, "'javascript:' links are not allowed")


def test_unsafe_html_is_reported_on_its_own_line_inside_a_paragraph(tmp_path):
    root = broken(
        tmp_path,
        "basics/02-second.md",
        append="\nA paragraph\n"  # 10
        "that runs on <span\n"
        'onclick="x()">over</span> lines\n'  # 12
        "and [ends](03-none.md).\n",
    )
    problems = found(root)
    assert [(f, n, m[:30]) for f, n, m in problems] == [
        ("basics/02-second.md", 12, "HTML event handlers (on...=) a"),
        ("basics/02-second.md", 13, "broken link: no lesson '03-non"),
    ]


@pytest.mark.parametrize(
    ("file", "old", "line"),
    [
        ("courses/demo.md", "Everyone.", 16),
        ("basics/module.md", "What this module covers.", 23),
        ("basics/01-first.md", "# First heading", 6),
        ("basics/quiz.md", "Which one is right?", 12),  # question text
        ("basics/quiz.md", "The right answer", 14),  # option
        ("basics/quiz.md", "No, that is wrong.", 17),  # option feedback
        ("basics/quiz.md", "It is wrong for two reasons.", 18),  # its second line
        ("basics/quiz.md", "The first line of the explanation.", 20),
        ("basics/quiz.md", "The second line of the explanation.", 21),
        ("basics/scenario-x.md", "Something worrying happens.", 10),  # narrative
        ("basics/scenario-x.md", "Ask what is wrong", 12),  # choice
        ("basics/scenario-x.md", "Asking is where protection starts.", 13),  # choice feedback
        ("basics/scenario-x.md", "You noticed, asked and told someone.", 30),  # debrief
        ("basics/scenario-x.md", "That is what protects children.", 31),
    ],
)
def test_unsafe_html_is_reported_on_its_line_in_every_kind_of_text(tmp_path, file, old, line):
    root = broken(tmp_path, file, replace=(old, f'<b style="x">{old}</b>'))
    expect(root, file, line, "inline styles are not allowed")


def test_broken_link_to_a_lesson(tmp_path):
    root = broken(
        tmp_path, "basics/02-second.md", replace=("(01-first.md#first-heading)", "(01-frist.md)")
    )
    expect(root, "basics/02-second.md", 8, "broken link: no lesson '01-frist.md'")


def test_broken_link_to_a_lesson_in_another_module(tmp_path):
    root = broken(
        tmp_path, "next-steps/01-next.md", replace=("../basics/01-first.md", "../basics/09-last.md")
    )
    expect(root, "next-steps/01-next.md", 8, "broken link: no lesson '../basics/09-last.md'")


def test_broken_link_to_a_module_that_does_not_exist(tmp_path):
    root = broken(
        tmp_path, "courses/demo.md", replace=("../basics/01-first.md", "../advanced/01-first.md")
    )
    expect(root, "courses/demo.md", 16, "broken link: no lesson '../advanced/01-first.md'")


def test_broken_link_to_a_file(tmp_path):
    root = broken(tmp_path, "basics/02-second.md", append="\n[The leaflet](files/leaflet.pdf)\n")
    expect(root, "basics/02-second.md", 10, "broken link: no file 'files/leaflet.pdf'")


def test_link_to_a_lesson_in_another_module_that_exists_passes(tmp_path):
    root = broken(
        tmp_path,
        "basics/02-second.md",
        append="\nSee [what comes next](../next-steps/01-next.md#next-heading) and "
        "[the web](https://www.gov.uk) and [a heading](#second-heading) and "
        "[email](mailto:someone@example.org).\n",
    )
    assert found(root) == []


def test_missing_image(tmp_path):
    root = broken(tmp_path, "basics/01-first.md", replace=("images/dot.svg", "images/square.svg"))
    expect(root, "basics/01-first.md", 10, "missing image: 'images/square.svg' does not exist")


def test_image_without_alt_text(tmp_path):
    root = broken(tmp_path, "basics/01-first.md", replace=("![A small grey circle]", "![]"))
    expect(root, "basics/01-first.md", 10, "image 'images/dot.svg' needs alt text")


def test_external_image(tmp_path):
    root = broken(
        tmp_path,
        "basics/01-first.md",
        replace=("(images/dot.svg)", "(https://example.org/dot.svg)"),
    )
    expect(root, "basics/01-first.md", 10, "must be a file in the module's images/ folder")


def test_data_image(tmp_path):
    root = broken(
        tmp_path,
        "basics/01-first.md",
        replace=("(images/dot.svg)", "(data:image/png;base64,iVBORw0KGgo=)"),
    )
    expect(root, "basics/01-first.md", 10, "uses a scheme that is not allowed")


def test_image_from_another_modules_folder(tmp_path):
    # It exists, but only a module's own images are given an address when it is rendered.
    root = broken(
        tmp_path, "next-steps/01-next.md", append="\n![A grey dot](../basics/images/dot.svg)\n"
    )
    expect(root, "next-steps/01-next.md", 10, "must be in this module's images/ folder")


def test_image_in_a_course_page(tmp_path):
    root = broken(tmp_path, "courses/demo.md", append="\n![A grey dot](../basics/images/dot.svg)\n")
    expect(root, "courses/demo.md", 18, "must be in this module's images/ folder")


def test_link_to_another_modules_file(tmp_path):
    root = broken(
        tmp_path, "next-steps/01-next.md", append="\n[The dot](../basics/images/dot.svg)\n"
    )
    expect(root, "next-steps/01-next.md", 10, "is another module's file")


def test_link_to_an_image_of_the_same_module_passes(tmp_path):
    root = broken(tmp_path, "basics/02-second.md", append="\n[The dot, larger](images/dot.svg)\n")
    assert found(root) == []


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">x</a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>',
    ],
)
def test_svg_containing_script(tmp_path, svg):
    root = broken(tmp_path, "basics/images/dot.svg", data=svg)
    expect(root, "basics/images/dot.svg", 1, "SVG images must not contain script")


def test_image_larger_than_2_mb(tmp_path):
    root = broken(
        tmp_path, "basics/images/big.png", data=b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)
    )
    expect(root, "basics/images/big.png", 1, "image is larger than 2 MB")


# --- files and folders --------------------------------------------------------------------


def test_non_utf8_file(tmp_path):
    original = (VALID / "basics/quiz.md").read_bytes()
    data = original.replace(b"Which one is right?", b"Which one is r\xe9ght?")  # Latin-1 e-acute
    root = broken(tmp_path, "basics/quiz.md", data=data)
    expect(root, "basics/quiz.md", 12, "file is not valid UTF-8 text")


def test_empty_content_folder(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    assert found(root) == [
        (".", 1, "content folder is empty: expected courses/ and module folders"),
    ]


def test_nonexistent_content_folder(tmp_path):
    assert found(tmp_path / "nowhere") == [(".", 1, "content folder does not exist")]


def test_hidden_folders_are_ignored(tmp_path):
    root = broken(tmp_path, ".git/config", text="[core]\n")
    assert found(root) == []


# --- hostile input ------------------------------------------------------------------------

YAML_BOMB = """\
lol_a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
lol_b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
lol_c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
lol_d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
lol_e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
lol_f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
lol_g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
lol_h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
lol_i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _load_in_a_subprocess(root: Path, seconds: float = 60) -> tuple[float, list[str]]:
    """Check `root` in another process, so that a hang or a memory blow-up fails the test."""
    code = (
        "import sys; from pathlib import Path; from signpost.content.loader import load\n"
        "_, problems = load(Path(sys.argv[1]))\n"
        "print('\\n'.join(p.format(Path(sys.argv[1])) for p in problems.sorted()))\n"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=seconds,
        check=True,
    )
    return time.perf_counter() - started, result.stdout.splitlines()


def test_yaml_bomb_does_not_hang(tmp_path):
    # A billion laughs: nine levels of nine aliases, used wherever a value is read and printed.
    root = broken(
        tmp_path,
        "basics/module.md",
        replace=[
            ("---\ntitle: The basics\n", f"---\n{YAML_BOMB}title: *i\n"),
            ("outcomes:\n  - Explain the basics.\n  - Know where to go next.", "outcomes: *i"),
            ("  - title: A guide for practitioners", "  - title: *i"),
            ("    publisher: Department for Education", "    publisher: *i"),
            ("    url: https://www.gov.uk/example", "    url: *i"),
            ("completion:\n  quiz: true", "completion: *i"),
            ("review_by: 2027-11-01", "review_by: *i"),
        ],
    )
    elapsed, lines = _load_in_a_subprocess(root)
    assert elapsed < 30
    assert "basics/module.md:11: 'title' must be text" in lines
    assert "basics/module.md:18: 'review_by' must be a real date written YYYY-MM-DD" in lines
    assert any(
        line.startswith("basics/module.md:2: unknown front matter field 'lol_a'") for line in lines
    )
    assert any("reference's title, publisher, year and url must be text" in line for line in lines)
    assert all(line.startswith("basics/module.md:") for line in lines)


def test_yaml_bomb_as_a_course_list_does_not_hang(tmp_path):
    root = broken(
        tmp_path,
        "courses/demo.md",
        replace=[
            ("---\ntitle: Demo course\n", f"---\n{YAML_BOMB}title: Demo course\n"),
            ("modules:\n  - basics\n  - next-steps", "modules: *i"),
            ("confidence:\n  - I can explain the basics.", "confidence: *i"),
            ("level: 1", "level: *i"),
        ],
    )
    elapsed, lines = _load_in_a_subprocess(root)
    assert elapsed < 30
    assert (
        "courses/demo.md:14: 'modules' must be a list of text items, one per line starting '- '"
        in lines
    )
    assert "courses/demo.md:13: 'level' must be one of: 1, 2, 3" in lines


def test_deeply_nested_yaml(tmp_path):
    root = broken(
        tmp_path,
        "basics/quiz.md",
        replace=("title: Check", f"deep: {'[' * 5000}{']' * 5000}\ntitle: Check"),
    )
    expect(root, "basics/quiz.md", 2, "not valid YAML")


def test_a_5_mb_lesson(tmp_path):
    paragraph = "A long, ordinary paragraph with *some emphasis* and a [link](01-first.md). " * 20
    root = broken(tmp_path, "basics/02-second.md", append=f"\n{paragraph}\n" * 3500)
    assert (root / "basics/02-second.md").stat().st_size > 5_000_000
    started = time.perf_counter()
    tree, problems = load(root)
    elapsed = time.perf_counter() - started
    assert not problems
    assert len(tree.modules[0].lessons[1].body) > 5_000_000
    assert elapsed < 30, f"checking a 5 MB lesson took {elapsed:.1f}s"


def test_nul_bytes(tmp_path):
    data = (
        (VALID / "basics/quiz.md").read_bytes().replace(b"The sky is green.", b"The sky\0is green.")
    )
    root = broken(tmp_path, "basics/quiz.md", data=data)
    expect(root, "basics/quiz.md", 40, "file contains a NUL character")


def test_nul_bytes_in_front_matter(tmp_path):
    data = (VALID / "basics/scenario-x.md").read_bytes().replace(b"Tester", b"Tes\0ter")
    root = broken(tmp_path, "basics/scenario-x.md", data=data)
    expect(root, "basics/scenario-x.md", 5, "file contains a NUL character")


def _crlf(root: Path) -> None:
    for path in root.rglob("*.md"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def test_crlf_line_endings_parse_correctly(tmp_path):
    root = broken(tmp_path)
    _crlf(root)
    assert b"\r\n" in (root / "basics/quiz.md").read_bytes()
    tree, problems = load(root)
    assert not problems
    lf_tree, _ = load(VALID)
    basics, reference = tree.modules[0], lf_tree.modules[0]
    assert [lesson.body for lesson in basics.lessons] == [
        lesson.body for lesson in reference.lessons
    ]
    assert basics.quiz.questions == reference.quiz.questions
    assert basics.scenarios[0].nodes == reference.scenarios[0].nodes
    assert "\r" not in basics.quiz.questions[0].explanation


def test_crlf_line_endings_keep_line_numbers(tmp_path):
    root = broken(
        tmp_path, "basics/quiz.md", replace=("- [x] The right answer", "- [ ] The right answer")
    )
    edit(root, "basics/scenario-x.md", replace=("Ignore it -> ignored", "Ignore it -> nowhere"))
    edit(root, "basics/02-second.md", append="\n<script>alert(1)</script>\n")
    edit(root, "basics/module.md", replace=("minutes: 20", "minutes: twenty"))
    expected = found(root)
    _crlf(root)
    assert found(root) == expected
    assert [(f, n) for f, n, _ in expected] == [
        ("basics/02-second.md", 10),
        ("basics/module.md", 6),
        ("basics/quiz.md", 9),
        ("basics/scenario-x.md", 14),
    ]


def test_byte_order_mark(tmp_path):
    root = broken(tmp_path)
    for name in ("basics/module.md", "basics/quiz.md", "courses/demo.md"):
        path = root / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    tree, problems = load(root)
    assert not problems, [p.format() for p in problems.sorted()]
    assert tree.modules[0].title == "The basics"
    assert tree.courses[0].title == "Demo course"
    # Line numbers are unchanged by the mark.
    edit(root, "basics/quiz.md", replace=("draw: 2", "draw: 9"))
    expect(root, "basics/quiz.md", 4, "the pool has 3 questions but each attempt draws 9")


def test_hidden_files_in_a_module_are_ignored_and_do_not_change_its_version(tmp_path):
    root = broken(tmp_path)
    before = {m.slug: m.checksum for m in load(root)[0].modules}
    edit(root, "basics/.DS_Store", data=b"\x00\x01 finder metadata")
    edit(root, "basics/.01-first.md.swp", data=b"editor swap")
    tree, problems = load(root)
    assert not problems
    assert {m.slug: m.checksum for m in tree.modules} == before


def test_words_ending_in_data_inside_raw_html_are_not_mistaken_for_links(tmp_path):
    root = broken(tmp_path, "basics/01-first.md", append="\n<p>Metadata: none</p>\n")
    assert found(root) == []
