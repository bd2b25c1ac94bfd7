"""`flask content check` and `flask content import`, end to end through the CLI."""

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from signpost.content import importer
from signpost.extensions import db
from signpost.models import (
    AuditEvent,
    ContentAsset,
    Course,
    CourseModule,
    Lesson,
    Module,
    ModuleVersion,
    Option,
    Question,
    Quiz,
    Scenario,
    ScenarioChoice,
    ScenarioNode,
)
from tests.html import Page

REPO = Path(__file__).parents[1]
CONTENT = REPO / "content"
VALID = Path(__file__).parent / "content_fixtures" / "valid"
CONTENT_MODELS = [
    Course, CourseModule, Module, ModuleVersion, Lesson, Quiz, Question, Option,
    Scenario, ScenarioNode, ScenarioChoice, ContentAsset,
]  # fmt: skip
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<message>.+)$")


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the valid fixture that a test may change."""
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def change(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(runner, path):
    return runner.invoke(args=["content", "check", str(path)])


def import_(runner, path):
    return runner.invoke(args=["content", "import", str(path)])


def counts() -> dict[str, int]:
    """Rows in each content table."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in CONTENT_MODELS
    }


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every content table (and the audit log), every column, in id order."""
    tables = {}
    for model in [*CONTENT_MODELS, AuditEvent]:
        table = model.__table__
        rows = db.session.execute(select(table).order_by(table.c.id)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def versions(slug: str) -> list[ModuleVersion]:
    return list(
        db.session.scalars(
            select(ModuleVersion)
            .join(Module)
            .where(Module.slug == slug)
            .order_by(ModuleVersion.number)
        )
    )


def rows_of(model, **where) -> list[tuple]:
    table = model.__table__
    query = select(table).order_by(table.c.id)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return [tuple(row) for row in db.session.execute(query).all()]


# --- check --------------------------------------------------------------------------------


def test_check_on_the_real_content_passes(runner):
    result = check(runner, CONTENT)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")
    assert re.match(r"OK: \d+ courses, \d+ modules, \d+ questions, \d+ scenarios", result.stdout)


def test_check_without_a_path_checks_the_apps_content_folder(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    # The same summary as for content/, less the time it took.
    again = check(runner, CONTENT)
    assert again.exit_code == 0, again.output
    assert result.stdout.split(" (")[0] == again.stdout.split(" (")[0]


def test_check_on_the_fixture_passes(runner):
    result = check(runner, VALID)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 courses, 2 modules, 3 questions, 1 scenarios")


def test_check_on_a_broken_tree_prints_file_line_message(runner, tree, tmp_path, monkeypatch):
    change(tree, "basics/quiz.md", "- [x] The right answer", "- [ ] The right answer")
    change(tree, "basics/scenario-x.md", "Ignore it -> ignored", "Ignore it -> nowhere")
    change(tree, "courses/demo.md", "level: 1", "level: 7")
    monkeypatch.chdir(tmp_path)  # paths are printed relative to where the command runs
    result = check(runner, "content")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "content/basics/quiz.md:9: question 'pick-one' has no correct answer: "
        "mark one with '- [x]'",
        "content/basics/scenario-x.md:14: choice leads to unknown node 'nowhere'",
        "content/courses/demo.md:4: 'level' must be one of: 1, 2, 3",
    ]
    assert all(PROBLEM_LINE.match(line) for line in lines)
    assert "3 problem(s) found." in result.stderr


def test_check_prints_absolute_paths_outside_the_working_folder(runner, tree):
    change(tree, "basics/quiz.md", "draw: 2", "draw: 5")
    result = check(runner, tree)
    assert result.exit_code == 1
    quiz = tree.resolve() / "basics/quiz.md"
    assert result.stdout == f"{quiz}:4: the pool has 3 questions but each attempt draws 5\n"


@pytest.mark.parametrize("name", ["empty", "nowhere"])
def test_check_on_an_empty_or_missing_folder_fails(runner, tmp_path, name):
    (tmp_path / "empty").mkdir()
    result = check(runner, tmp_path / name)
    assert result.exit_code == 1
    assert PROBLEM_LINE.match(result.stdout.strip())
    assert ("is empty" if name == "empty" else "does not exist") in result.stdout


# --- import -------------------------------------------------------------------------------


def test_import_creates_the_expected_rows(runner):
    result = import_(runner, VALID)
    assert result.exit_code == 0, result.output
    assert "new version: basics v1" in result.stdout
    assert "new version: next-steps v1" in result.stdout
    assert "new course: demo" in result.stdout
    assert counts() == {
        "course": 1, "course_module": 2, "module": 2, "module_version": 2, "lesson": 3,
        "quiz": 1, "question": 3, "question_option": 7, "scenario": 1, "scenario_node": 4,
        "scenario_choice": 4, "content_asset": 1,
    }  # fmt: skip

    course = db.session.scalar(select(Course))
    assert (course.slug, course.title, course.level, course.validity_months, course.cpd_hours) == (
        "demo", "Demo course", 1, 24, 1.5,
    )  # fmt: skip
    assert course.confidence == ["I can explain the basics."]
    assert [m.slug for m in course.modules] == ["basics", "next-steps"]

    [basics] = versions("basics")
    assert (basics.number, basics.label, basics.title, basics.minutes) == (
        1,
        "1.0",
        "The basics",
        20,
    )
    assert basics.review_by.isoformat() == "2027-11-01"
    assert basics.outcomes == ["Explain the basics.", "Know where to go next."]
    assert basics.references == [
        {
            "title": "A guide for practitioners",
            "publisher": "Department for Education",
            "year": "2017",
            "url": "https://www.gov.uk/example",
        }
    ]
    assert basics.completion == {"lessons": True, "quiz": True, "scenarios": True}
    assert len(basics.checksum) == 64
    assert [(lesson.position, lesson.slug, lesson.title) for lesson in basics.lessons] == [
        (0, "first", "The first lesson"),
        (1, "second", "The second lesson"),
    ]

    quiz = basics.quiz
    assert (quiz.pass_mark, quiz.draw, quiz.attempts_allowed, quiz.minutes) == (80, 2, 0, 3)
    assert [(q.key, q.kind) for q in quiz.questions] == [
        ("pick-one", "single"),
        ("pick-many", "multiple"),
        ("true-or-false", "true-false"),
    ]
    assert [(o.text_html, o.correct) for o in quiz.questions[2].options] == [
        ("True", False),
        ("False", True),
    ]
    assert all(o.feedback_html for q in quiz.questions for o in q.options)

    [scenario] = basics.scenarios
    assert (scenario.slug, scenario.start_key, scenario.role) == ("x", "begin", "Tester")
    assert scenario.recommended_path == ["begin", "ask", "safe"]
    assert [(n.key, n.ending, n.outcome) for n in scenario.nodes] == [
        ("begin", False, None),
        ("ask", False, None),
        ("safe", True, "good"),
        ("ignored", True, "poor"),
    ]
    assert [(c.rating, c.target_key) for c in scenario.nodes[0].choices] == [
        ("recommended", "ask"),
        ("unsafe", "ignored"),
    ]

    asset = db.session.scalar(select(ContentAsset))
    assert (asset.version_id, asset.path, asset.media_type) == (
        basics.id,
        "images/dot.svg",
        "image/svg+xml",
    )
    assert asset.data == (VALID / "basics/images/dot.svg").read_bytes()

    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "content_published"))
    assert event.detail["versions"] == ["basics v1", "next-steps v1"]


def test_rendered_html_is_stored(runner):
    assert import_(runner, VALID).exit_code == 0
    [basics] = versions("basics")
    first, second = basics.lessons
    assert "<h1>First heading</h1>" in first.html
    assert "/learn/modules/basics/lessons/second" in Page(first.html).hrefs()
    assert (
        f'<img src="/content/assets/{basics.id}/images/dot.svg" alt="A small grey circle">'
        in first.html
    )
    assert "<td>Ask kindly</td>" in first.html
    assert 'class="footnote-ref"' in first.html
    assert first.source.startswith("# First heading")
    assert "/learn/modules/basics/lessons/first#first-heading" in Page(second.html).hrefs()
    [next_steps] = versions("next-steps")
    assert "/learn/modules/basics/lessons/first" in Page(next_steps.lessons[0].html).hrefs()
    assert basics.intro_html == "<p>What this module covers.</p>\n"
    assert basics.content_note_html == "<p>This module is only a test.</p>\n"
    assert next_steps.content_note_html is None
    course = db.session.scalar(select(Course))
    assert "<h2>Who this course is for</h2>" in course.body_html
    assert "/learn/modules/basics/lessons/first" in Page(course.body_html).hrefs()
    question = basics.quiz.questions[0]
    assert question.stem_html == "<p>Which one is right?</p>\n"
    assert question.explanation_html == (
        "<p>The first line of the explanation.\nThe second line of the explanation.</p>\n"
    )
    assert (
        question.options[1].feedback_html
        == "<p>No, that is wrong.\nIt is wrong for two reasons.</p>\n"
    )
    ending = basics.scenarios[0].nodes[2]
    assert ending.narrative_html == "<p>The child gets help.</p>\n"
    assert ending.debrief_html.startswith("<p>You noticed, asked and told someone.")


def test_reimporting_unchanged_content_creates_nothing(runner):
    assert import_(runner, VALID).exit_code == 0
    before_counts, before = counts(), snapshot()
    result = import_(runner, VALID)
    assert result.exit_code == 0, result.output
    assert "0 new module versions, 2 modules unchanged, 0 courses changed" in result.stdout
    assert "new version" not in result.stdout
    assert counts() == before_counts
    assert snapshot() == before


def test_reimporting_a_copy_elsewhere_creates_nothing(runner, tree):
    # Versions depend on what the files say, not where the folder is.
    assert import_(runner, VALID).exit_code == 0
    before = snapshot()
    assert import_(runner, tree).exit_code == 0
    assert snapshot() == before


def test_changing_a_lesson_creates_a_new_version_of_that_module_only(runner, tree):
    assert import_(runner, tree).exit_code == 0
    [v1] = versions("basics")
    v1_id = v1.id
    parts = [(Lesson, "version_id"), (Quiz, "version_id"), (Scenario, "version_id")]
    parts += [(ContentAsset, "version_id"), (ModuleVersion, "id")]
    kept = {model: rows_of(model, **{column: v1_id}) for model, column in parts}
    next_steps_before = rows_of(ModuleVersion, module_id=versions("next-steps")[0].module_id)
    course_before = rows_of(Course) + rows_of(CourseModule)
    modules_before = rows_of(Module)
    everything_before = snapshot()

    change(tree, "basics/02-second.md", "Go back to", "Now go back to")
    result = import_(runner, tree)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "new version: basics v2"
    assert "1 new module versions, 1 modules unchanged, 0 courses changed" in result.stdout

    db.session.expire_all()
    old, new = versions("basics")
    assert (old.id, old.number, new.number) == (v1_id, 1, 2)
    for model, column in parts:  # version 1 and everything in it, byte for byte
        assert rows_of(model, **{column: v1_id}) == kept[model]
    assert "Go back to" in old.lessons[1].source
    assert "Now go back to" in new.lessons[1].source
    assert "Now go back to" in new.lessons[1].html
    assert new.lessons[0].html == old.lessons[0].html.replace(
        f"/content/assets/{old.id}/", f"/content/assets/{new.id}/"
    )
    assert new.checksum != old.checksum
    assert new.quiz.id != old.quiz.id and len(new.quiz.questions) == 3
    assert [a.version_id for a in db.session.scalars(select(ContentAsset))] == [old.id, new.id]
    # The other module stays at version 1; modules and courses are unchanged.
    assert rows_of(ModuleVersion, module_id=old.module_id) != []
    assert (
        rows_of(ModuleVersion, module_id=versions("next-steps")[0].module_id) == next_steps_before
    )
    assert rows_of(Course) + rows_of(CourseModule) == course_before
    assert rows_of(Module) == modules_before
    # Nothing that existed was changed or removed; the import only added rows.
    everything = snapshot()
    for table, rows in everything_before.items():
        assert all(row in everything[table] for row in rows), table

    # Importing the changed content again creates nothing more.
    before = snapshot()
    assert import_(runner, tree).exit_code == 0
    assert snapshot() == before


def test_changing_an_image_creates_a_new_version(runner, tree):
    assert import_(runner, tree).exit_code == 0
    (tree / "basics/images/dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n'
    )
    result = import_(runner, tree)
    assert result.exit_code == 0, result.output
    assert [v.number for v in versions("basics")] == [1, 2]
    assert [v.number for v in versions("next-steps")] == [1]


def test_changing_a_course_updates_it_in_place(runner, tree):
    assert import_(runner, tree).exit_code == 0
    versions_before = rows_of(ModuleVersion)
    change(tree, "courses/demo.md", "  - basics\n  - next-steps\n", "  - next-steps\n  - basics\n")
    result = import_(runner, tree)
    assert result.exit_code == 0, result.output
    assert "updated course: demo" in result.stdout
    db.session.expire_all()
    course = db.session.scalar(select(Course))
    assert [m.slug for m in course.modules] == ["next-steps", "basics"]
    assert counts()["course"] == 1
    assert rows_of(ModuleVersion) == versions_before


BROKEN = [
    ("basics/quiz.md", "- [x] The right answer", "- [ ] The right answer", "basics/quiz.md:9:"),
    (
        "basics/02-second.md",
        "Go back to",
        "Go <script>x()</script> back to",
        "basics/02-second.md:8:",
    ),
    ("basics/02-second.md", "Go back to", "Go\0back to", "basics/02-second.md:8:"),
    ("courses/demo.md", "  - next-steps\n", "  - next-steps\n  - nowhere\n", "courses/demo.md:5:"),
]


@pytest.mark.parametrize(("file", "old", "new", "where"), BROKEN, ids=[b[3] for b in BROKEN])
def test_importing_a_broken_tree_changes_nothing(runner, tree, file, old, new, where):
    assert import_(runner, VALID).exit_code == 0
    before_counts, before = counts(), snapshot()
    # Something valid changes as well, so that a partial import would show.
    change(tree, "next-steps/01-next.md", "This builds on", "This follows on from")
    change(tree, file, old, new)
    result = import_(runner, tree)
    assert result.exit_code == 1
    assert f"{tree.resolve()}/{where}" in result.stdout
    assert all(PROBLEM_LINE.match(line) for line in result.stdout.splitlines())
    assert "Nothing was imported." in result.stderr
    assert counts() == before_counts
    assert snapshot() == before


def test_importing_a_broken_tree_into_an_empty_database_creates_nothing(runner, tree):
    change(tree, "basics/scenario-x.md", "start: begin", "start: nowhere")
    result = import_(runner, tree)
    assert result.exit_code == 1
    assert "scenario-x.md:4: start node 'nowhere' does not exist" in result.stdout
    assert set(counts().values()) == {0}
    assert snapshot()["audit_event"] == []


def _fail_on_second_module(monkeypatch):
    """Make the importer raise when it reaches the second module."""
    real = importer._import_module
    seen = []

    def import_module(source, report):
        seen.append(source.slug)
        if len(seen) == 2:
            raise RuntimeError("disk full")
        return real(source, report)

    monkeypatch.setattr(importer, "_import_module", import_module)
    return seen


def test_a_failure_in_the_middle_of_a_first_import_leaves_nothing(runner, monkeypatch):
    seen = _fail_on_second_module(monkeypatch)
    result = import_(runner, VALID)
    assert seen == ["basics", "next-steps"]  # the first module was written before the failure
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert set(counts().values()) == {0}
    assert snapshot()["audit_event"] == []


def test_a_failure_in_the_middle_of_an_import_leaves_the_database_as_it_was(
    runner, tree, monkeypatch
):
    assert import_(runner, tree).exit_code == 0
    before = snapshot()
    change(tree, "basics/02-second.md", "Go back to", "Now go back to")
    change(tree, "next-steps/01-next.md", "This builds on", "This follows on from")
    _fail_on_second_module(monkeypatch)
    result = import_(runner, tree)
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert snapshot() == before
    # Once the fault is gone, the same import goes through.
    monkeypatch.undo()
    result = import_(runner, tree)
    assert result.exit_code == 0, result.output
    assert [v.number for v in versions("basics")] == [1, 2]
    assert [v.number for v in versions("next-steps")] == [1, 2]


# --- the real content ---------------------------------------------------------------------


def test_the_real_content_imports_completely(runner):
    result = import_(runner, CONTENT)
    assert result.exit_code == 0, result.output
    courses = list(db.session.scalars(select(Course)))
    modules = list(db.session.scalars(select(ModuleVersion)))
    questions = list(db.session.scalars(select(Question)))
    scenarios = list(db.session.scalars(select(Scenario)))
    assert len(courses) >= 2
    assert len(modules) >= 6
    assert len(questions) >= 60
    assert len(scenarios) >= 4
    for course in courses:
        assert course.modules, course.slug
    for version in modules:
        assert version.references and all(r["title"] for r in version.references), version.title
        assert version.review_by is not None, version.title
        assert version.lessons, version.title
    for scenario in scenarios:
        decisions = [n for n in scenario.nodes if not n.ending]
        endings = [n for n in scenario.nodes if n.ending]
        assert len(decisions) >= 8, scenario.slug
        assert len(endings) > 1, scenario.slug
        assert all(n.debrief_html for n in endings), scenario.slug
    missing = [
        (question.key, option.position)
        for question in questions
        for option in question.options
        if not option.feedback_html.strip()
    ]
    assert missing == [], f"options without feedback: {missing}"

    before = snapshot()
    result = import_(runner, CONTENT)
    assert result.exit_code == 0, result.output
    assert "0 new module versions" in result.stdout
    assert snapshot() == before
