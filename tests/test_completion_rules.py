"""Completion, status, grading and retake rules as plain functions."""

import datetime as dt
import random
from types import SimpleNamespace as NS

import pytest

from signpost.completion import (
    ModuleState,
    add_months,
    course_complete,
    course_status,
    module_complete,
)
from signpost.quizzes import draw, eligibility, failures_in_a_row, grade

NOW = dt.datetime(2026, 11, 21, 12, 0)
ALL = {"lessons": True, "quiz": True, "scenarios": True}


def state(**changes):
    values = dict(
        lessons_total=3, lessons_done=3, has_quiz=True, quiz_passed=True,
        scenarios_total=1, scenarios_finished=1,
    )  # fmt: skip
    values.update(changes)
    return ModuleState(**values)


def test_module_needs_lessons_quiz_and_scenarios_by_default():
    assert module_complete(ALL, state())
    assert not module_complete(ALL, state(lessons_done=2))
    assert not module_complete(ALL, state(quiz_passed=False))
    assert not module_complete(ALL, state(scenarios_finished=0))


def test_module_rules_come_from_the_content():
    assert module_complete({**ALL, "quiz": False}, state(quiz_passed=False))
    assert module_complete({**ALL, "scenarios": False}, state(scenarios_finished=0))
    assert module_complete(ALL, state(has_quiz=False, quiz_passed=False))
    assert not module_complete({**ALL, "lessons": False}, state(quiz_passed=False))


def test_course_needs_every_module_and_fresh_completions_for_renewal():
    when = {1: NOW, 2: NOW}
    assert course_complete([1, 2], when, None)
    assert not course_complete([1, 2], {1: NOW}, None)
    assert not course_complete([], {}, None)
    earlier = NOW - dt.timedelta(days=1)
    assert not course_complete([1, 2], {1: NOW, 2: earlier}, since=earlier)
    assert course_complete([1, 2], when, since=earlier)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(started=False, completed_at=None, expires_at=None, due_at=None), "not_started"),
        (dict(started=True, completed_at=None, expires_at=None, due_at=None), "in_progress"),
        (dict(started=True, completed_at=None, expires_at=None, due_at=NOW), "in_progress"),
        (
            dict(
                started=True,
                completed_at=None,
                expires_at=None,
                due_at=NOW - dt.timedelta(seconds=1),
            ),
            "overdue",
        ),
        (
            dict(
                started=True, completed_at=NOW, expires_at=NOW + dt.timedelta(days=61), due_at=None
            ),
            "completed",
        ),
        (
            dict(
                started=True, completed_at=NOW, expires_at=NOW + dt.timedelta(days=60), due_at=None
            ),
            "expiring_soon",
        ),
        (dict(started=True, completed_at=NOW, expires_at=NOW, due_at=None), "expired"),
        (
            dict(started=True, completed_at=NOW, expires_at=NOW, due_at=NOW - dt.timedelta(days=1)),
            "overdue",
        ),
    ],
)
def test_course_status_at_the_boundaries(kwargs, expected):
    assert course_status(NOW, **kwargs, expiring_days=60) == expected


def test_add_months_keeps_the_day_or_uses_the_month_end():
    assert add_months(dt.datetime(2026, 1, 31), 1) == dt.datetime(2026, 2, 28)
    assert add_months(dt.datetime(2026, 11, 21), 24) == dt.datetime(2028, 11, 21)
    assert add_months(dt.datetime(2028, 2, 29), 12) == dt.datetime(2029, 2, 28)


def _question(qid, correct_ids, all_ids):
    return NS(id=qid, options=[NS(id=o, correct=o in correct_ids) for o in all_ids])


def test_grading_needs_exactly_the_correct_options():
    questions = {1: _question(1, {10}, [10, 11]), 2: _question(2, {20, 21}, [20, 21, 22])}
    assert grade(questions, {1: {10}, 2: {20, 21}}, 100).score == 100
    partial = grade(questions, {1: {10}, 2: {20}}, 50)
    assert (partial.correct, partial.score, partial.passed) == (1, 50, True)
    extra = grade(questions, {1: {10, 11}, 2: {20, 21, 22}}, 50)
    assert (extra.correct, extra.passed) == (0, False)
    assert grade(questions, {}, 1).score == 0


def test_draw_takes_n_questions_and_shuffles_options_reproducibly():
    pool = [_question(q, {q * 10}, [q * 10, q * 10 + 1, q * 10 + 2]) for q in range(1, 7)]
    first = draw(pool, 4, random.Random(7))
    assert first == draw(pool, 4, random.Random(7))
    assert len(first) == 4 and len({item["question"] for item in first}) == 4
    for item in first:
        assert sorted(item["options"]) == [item["question"] * 10 + i for i in range(3)]


def _attempt(passed, minutes_ago=0):
    submitted = NOW - dt.timedelta(minutes=minutes_ago)
    return NS(submission=NS(passed=passed, submitted_at=submitted))


def test_retake_rules():
    quiz = NS(attempts_allowed=2, wait_minutes=30, wait_after_failures=0)
    assert eligibility(quiz, [], NOW).allowed
    waiting = eligibility(quiz, [_attempt(False, 10)], NOW)
    assert not waiting.allowed and waiting.wait_until == NOW + dt.timedelta(minutes=20)
    assert eligibility(quiz, [_attempt(False, 30)], NOW).allowed
    used = eligibility(quiz, [_attempt(False, 90), _attempt(False, 60)], NOW)
    assert not used.allowed and "all 2 attempts" in used.reason
    assert not eligibility(quiz, [_attempt(True, 90)], NOW).allowed
    assert eligibility(
        NS(attempts_allowed=0, wait_minutes=0, wait_after_failures=0), [_attempt(False)] * 9, NOW
    ).allowed


def test_the_wait_can_start_only_after_failures_in_a_row():
    quiz = NS(attempts_allowed=0, wait_minutes=30, wait_after_failures=2)
    once = eligibility(quiz, [_attempt(False, 5)], NOW)
    assert once.allowed  # one slip: try again straight away
    twice = eligibility(quiz, [_attempt(False, 10), _attempt(False, 5)], NOW)
    assert not twice.allowed and twice.wait_until == NOW + dt.timedelta(minutes=25)
    assert "2 times in a row" in twice.reason
    thrice = [_attempt(False, 20), _attempt(False, 10), _attempt(False, 5)]
    assert not eligibility(quiz, thrice, NOW).allowed
    assert eligibility(quiz, [_attempt(False, 40), _attempt(False, 30)], NOW).allowed  # waited


def test_zero_keeps_a_wait_after_every_failed_attempt():
    quiz = NS(attempts_allowed=0, wait_minutes=30, wait_after_failures=0)
    assert not eligibility(quiz, [_attempt(False, 5)], NOW).allowed
    assert eligibility(
        NS(attempts_allowed=0, wait_minutes=0, wait_after_failures=2), [], NOW
    ).allowed


def test_a_pass_or_an_open_attempt_does_not_count_as_a_failure_in_a_row():
    assert failures_in_a_row([]) == 0
    assert failures_in_a_row([_attempt(False), _attempt(True), _attempt(False)]) == 1
    assert failures_in_a_row([_attempt(False), _attempt(False), NS(submission=None)]) == 2
    assert failures_in_a_row([_attempt(False), _attempt(True)]) == 0
