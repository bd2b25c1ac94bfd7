"""Retakes that teach: lessons to read again, a fresh draw, and the stored settings."""

import random
import re
import shutil
from types import SimpleNamespace as NS

from sqlalchemy import select

from signpost.extensions import db
from signpost.models import Lesson, Option, Question, Quiz, QuizAttempt
from signpost.quizzes import draw, lessons_to_revisit
from tests.journey import FIXTURE, import_fixture

HEADING = "Before you try again, read again"


def _pool(size):
    return [NS(id=q, options=[NS(id=q * 10), NS(id=q * 10 + 1)]) for q in range(1, size + 1)]


def test_lessons_to_revisit_cover_the_missed_questions_in_module_order_each_once():
    lessons = [NS(slug="intro"), NS(slug="signs"), NS(slug="acting")]
    questions = [
        NS(id=1, lesson_slug="acting"),
        NS(id=2, lesson_slug="intro"),
        NS(id=3, lesson_slug="intro"),
        NS(id=4, lesson_slug="signs"),  # answered correctly: not named
        NS(id=5, lesson_slug=None),  # no lesson given: nothing to name
    ]
    marks = {1: False, 2: False, 3: False, 4: True, 5: False}
    assert [x.slug for x in lessons_to_revisit(lessons, questions, marks)] == ["intro", "acting"]
    assert lessons_to_revisit(lessons, questions, dict.fromkeys(marks, True)) == []


def test_a_retake_draws_questions_not_in_the_previous_attempt_where_the_pool_allows():
    pool, seen = _pool(6), frozenset({1, 2, 3})
    draws = [draw(pool, 3, random.Random(seed), seen) for seed in range(20)]
    for layout in draws:
        assert {item["question"] for item in layout} == {4, 5, 6}
    assert len({tuple(item["question"] for item in layout) for layout in draws}) > 1  # random


def test_a_small_pool_is_topped_up_from_the_questions_just_seen():
    pool, seen = _pool(4), frozenset({1, 2, 3})
    picked = [{i["question"] for i in draw(pool, 3, random.Random(s), seen)} for s in range(20)]
    assert all(len(ids) == 3 and 4 in ids for ids in picked)
    assert len({frozenset(ids) for ids in picked}) > 1  # the repeats are still random
    assert len(draw(pool, 9, random.Random(1), seen)) == 4  # never more than the pool


def test_the_importer_stores_each_questions_lesson_and_the_wait_rule(app, tmp_path):
    import_fixture()
    lessons = {q.key: q.lesson_slug for q in db.session.scalars(select(Question))}
    assert lessons == {"colour": "first", "numbers": "second", "truth": "first", "grass": "second"}
    assert db.session.scalar(select(Quiz)).wait_after_failures == 0
    assert import_fixture().new_versions == []  # the same files: no new version
    changed = tmp_path / "changed"
    shutil.copytree(FIXTURE, changed)
    quiz_file = changed / "basics" / "quiz.md"
    text = quiz_file.read_text().replace(
        "wait_minutes: 0", "wait_minutes: 30\nwait_after_failures: 2"
    )
    quiz_file.write_text(text)
    assert import_fixture(changed).new_versions == ["basics v2"]
    newest = db.session.scalars(select(Quiz).order_by(Quiz.id.desc())).first()
    assert (newest.wait_minutes, newest.wait_after_failures) == (30, 2)


def _wrong_ids():
    return set(db.session.scalars(select(Option.id).where(Option.correct.is_(False))))


def _drawn(url):
    attempt = db.session.get(QuizAttempt, int(url.rsplit("/", 1)[1]))
    return [item["question"] for item in attempt.layout]


def test_a_failed_attempt_names_the_lessons_to_read_again(client, course, learner, journey):
    journey.start("basics")
    url = journey.start_quiz("basics")
    journey.answer(url, _wrong_ids())
    page = client.get(url).get_data(as_text=True)
    assert HEADING in page
    drawn = {db.session.get(Question, qid).lesson_slug for qid in _drawn(url)}
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.position)).all()
    expected = [f"/learn/modules/basics/lessons/{x.slug}" for x in lessons if x.slug in drawn]
    section = page.split(HEADING, 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="(/learn/modules/basics/lessons/[^"]+)"', section) == expected
    for lesson in lessons:
        assert (lesson.title in section) == (lesson.slug in drawn)


def test_a_passed_attempt_names_no_lessons(client, course, learner, journey):
    journey.start("basics")
    url = journey.start_quiz("basics")
    journey.answer(url, set(db.session.scalars(select(Option.id).where(Option.correct))))
    assert HEADING not in client.get(url).get_data(as_text=True)


def test_each_retake_draws_other_questions_than_the_attempt_before(
    client, course, learner, journey
):
    journey.start("basics")  # the fixture's pool of 4 allows two whole draws of 2
    previous = None
    for _ in range(3):
        url = journey.start_quiz("basics")
        drawn = _drawn(url)
        assert len(drawn) == 2
        if previous is not None:
            assert not set(drawn) & set(previous)
        journey.answer(url, _wrong_ids())
        previous = drawn
