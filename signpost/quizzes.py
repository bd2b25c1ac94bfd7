"""Quizzes: drawing an attempt, retake rules, and grading exactly once."""

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from signpost import completion
from signpost.errors import Conflict, DomainError, Invalid, NotFound
from signpost.extensions import db
from signpost.models import (
    Lesson,
    ModuleProgress,
    Question,
    Quiz,
    QuizAttempt,
    QuizSubmission,
    utcnow,
)


class QuizError(DomainError):
    """A quiz request that cannot be honoured."""


class NoQuiz(QuizError, NotFound):
    """The module has no quiz."""


class NotYet(QuizError, Conflict):
    """The retake rules do not allow another attempt now."""


class BadAnswers(QuizError, Invalid):
    """The answers sent are malformed, foreign to the attempt, or for another form."""


def draw(
    questions: list[Question], count: int, rng: random.Random, avoid: frozenset[int] = frozenset()
) -> list[dict]:
    """Pick `count` questions, preferring those not in `avoid`, and shuffle each one's options."""
    count = min(count, len(questions))
    fresh = [q for q in questions if q.id not in avoid]
    chosen = rng.sample(fresh, min(count, len(fresh)))
    # A pool too small for a whole fresh draw is topped up from the questions just seen.
    seen = [q for q in questions if q.id in avoid]
    chosen += rng.sample(seen, count - len(chosen))
    rng.shuffle(chosen)  # so the repeated questions are not always the last ones
    layout = []
    for question in chosen:
        options = [o.id for o in question.options]
        rng.shuffle(options)
        layout.append({"question": question.id, "options": options})
    return layout


@dataclass(frozen=True)
class Grade:
    """The result of grading a set of answers."""

    correct: int
    total: int
    score: int
    passed: bool
    per_question: dict[int, bool]


def grade(questions: dict[int, Question], answers: dict[int, set[int]], pass_mark: int) -> Grade:
    """A question is right when exactly its correct options are chosen."""
    per_question = {
        qid: answers.get(qid, set()) == {o.id for o in q.options if o.correct}
        for qid, q in questions.items()
    }
    correct = sum(per_question.values())
    total = len(questions)
    score = round(100 * correct / total) if total else 0
    return Grade(correct, total, score, score >= pass_mark, per_question)


def attempts(progress: ModuleProgress) -> list[QuizAttempt]:
    """Every attempt in this pass, oldest first."""
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.progress_id == progress.id)
            .order_by(QuizAttempt.number)
        )
    )


@dataclass(frozen=True)
class Eligibility:
    """Whether a new attempt may start, and if not, why and until when."""

    allowed: bool
    reason: str = ""
    wait_until: dt.datetime | None = None


def failures_in_a_row(history: list[QuizAttempt]) -> int:
    """How many submitted attempts, counting back from the latest, failed."""
    count = 0
    for attempt in reversed([a for a in history if a.submission is not None]):
        if attempt.submission.passed:
            break
        count += 1
    return count


def eligibility(quiz: Quiz, history: list[QuizAttempt], now: dt.datetime) -> Eligibility:
    """Apply the quiz's retake rules to a learner's attempts so far."""
    submitted = [a for a in history if a.submission is not None]
    if any(a.submission.passed for a in submitted):
        return Eligibility(False, "You have passed this quiz.")
    if quiz.attempts_allowed and len(submitted) >= quiz.attempts_allowed:
        return Eligibility(
            False,
            f"You have used all {quiz.attempts_allowed} attempts. Ask your trainer or agency lead.",
        )
    # 0 keeps the original rule: a wait after every failed attempt.
    failed = failures_in_a_row(history)
    if quiz.wait_minutes and failed and failed >= max(1, quiz.wait_after_failures):
        ready = submitted[-1].submission.submitted_at + dt.timedelta(minutes=quiz.wait_minutes)
        if ready > now:
            reason = "You can try again after a short break."
            if failed > 1:
                reason = (
                    f"You have not passed {failed} times in a row. Read the lessons again first."
                )
            return Eligibility(False, reason, ready)
    return Eligibility(True)


def open_attempt(history: list[QuizAttempt]) -> QuizAttempt | None:
    """An attempt started but not yet submitted."""
    return next((a for a in reversed(history) if a.submission is None), None)


def _last_drawn(history: list[QuizAttempt]) -> frozenset[int]:
    """The questions of the previous attempt, which a retake avoids where the pool allows."""
    return frozenset(item["question"] for item in history[-1].layout) if history else frozenset()


def start_attempt(progress: ModuleProgress, rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt, or start a new one if the retake rules allow."""
    quiz = progress.version.quiz
    if quiz is None:
        raise NoQuiz("This module has no quiz.")
    history = attempts(progress)
    current = open_attempt(history)
    if current is not None:
        return current
    allowed = eligibility(quiz, history, utcnow())
    if not allowed.allowed:
        raise NotYet(allowed.reason)
    attempt = QuizAttempt(
        progress_id=progress.id,
        user_id=progress.user_id,
        quiz_id=quiz.id,
        number=len(history) + 1,
        layout=draw(quiz.questions, quiz.draw, rng or random.SystemRandom(), _last_drawn(history)),
        key=secrets.token_urlsafe(32),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Two "start" clicks at once: the other request's attempt is the one to use.
        current = open_attempt(attempts(progress))
        if current is None:
            raise
        return current
    return attempt


def attempt_questions(attempt: QuizAttempt) -> list[tuple[Question, list]]:
    """The attempt's questions with their options, in the order shown to the learner."""
    ids = [item["question"] for item in attempt.layout]
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    shown = []
    for item in attempt.layout:
        question = questions[item["question"]]
        options = {o.id: o for o in question.options}
        shown.append((question, [options[oid] for oid in item["options"]]))
    return shown


def marks(attempt: QuizAttempt) -> dict[int, bool]:
    """Whether each question of a submitted attempt was answered correctly."""
    stored = attempt.submission.answers
    questions = {q.id: q for q, _ in attempt_questions(attempt)}
    chosen = {qid: set(stored.get(str(qid), [])) for qid in questions}
    return grade(questions, chosen, attempt.quiz.pass_mark).per_question


def lessons_to_revisit(
    lessons: list[Lesson], questions: list[Question], marks: dict[int, bool]
) -> list[Lesson]:
    """The lessons covering the questions answered wrongly, in module order, each once."""
    missed = {q.lesson_slug for q in questions if q.lesson_slug and not marks.get(q.id)}
    return [lesson for lesson in lessons if lesson.slug in missed]


def parse_answers(attempt: QuizAttempt, form: dict[str, list[str]]) -> tuple[dict, list[int]]:
    """Turn posted fields `q<id>` into {question id: {option ids}}; list unanswered questions."""
    allowed = {item["question"]: set(item["options"]) for item in attempt.layout}
    answers: dict[int, set[int]] = {}
    for name, values in form.items():
        if not name.startswith("q"):
            continue
        try:
            qid = int(name[1:])
            chosen = {int(v) for v in values}
        except ValueError:
            raise BadAnswers(
                "The answers sent were not in the right form. Nothing was saved."
            ) from None
        if qid not in allowed or not chosen <= allowed[qid]:
            raise BadAnswers("An answer sent is not part of this attempt. Nothing was saved.")
        answers[qid] = chosen
    missing = [qid for qid in allowed if not answers.get(qid)]
    return answers, missing


def submit(
    attempt: QuizAttempt, key: str, answers: dict[int, set[int]]
) -> tuple[QuizSubmission, bool]:
    """Grade and store an attempt once; returns (submission, created now)."""
    if key != attempt.key:
        raise BadAnswers("This form does not belong to this attempt. Nothing was saved.")
    if attempt.submission is not None:
        return attempt.submission, False
    questions = dict((q.id, q) for q, _ in attempt_questions(attempt))
    result = grade(questions, answers, attempt.quiz.pass_mark)
    submission = QuizSubmission(
        attempt_id=attempt.id,
        key=key,
        correct=result.correct,
        total=result.total,
        score=result.score,
        passed=result.passed,
        answers={str(q): sorted(ids) for q, ids in answers.items()},
    )
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:
        # The same attempt was submitted by a concurrent request: that one stands.
        db.session.expire(attempt)
        existing = db.session.scalar(
            select(QuizSubmission).where(QuizSubmission.attempt_id == attempt.id)
        )
        return existing, False
    completion.after_step(attempt.progress)
    return submission, True
