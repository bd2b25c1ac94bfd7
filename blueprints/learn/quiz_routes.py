"""The quiz pages: rules and history, attempts, grading once."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import visible_or_404
from blueprints.errors import abort_for
from blueprints.learn.blueprint import (
    bp,
    learner,
    module_or_404,
    progress_or_start_page,
)
from blueprints.learn.steps import step_url
from signpost import progress, quizzes
from signpost.models import QuizAttempt, utcnow


@bp.get("/modules/<slug>/quiz")
@learner
def quiz(slug: str):
    """The quiz's rules and the learner's attempt history."""
    found = module_or_404(slug)
    mine = progress_or_start_page(found)
    if mine is None or mine.version.quiz is None:
        return redirect(url_for("learn.module", slug=slug))
    history = quizzes.attempts(mine)
    return render_template(
        "learn/quiz.html",
        module=found,
        version=mine.version,
        quiz=mine.version.quiz,
        history=history,
        open_attempt=quizzes.open_attempt(history),
        eligibility=quizzes.eligibility(mine.version.quiz, history, utcnow()),
    )


@bp.post("/modules/<slug>/quiz/start")
@learner
def quiz_start(slug: str):
    """Start an attempt (or resume the open one)."""
    found = module_or_404(slug)
    mine = progress_or_start_page(found) or abort(409, description="Start the module first.")
    try:
        attempt = quizzes.start_attempt(mine)
    except quizzes.QuizError as error:
        flash(str(error), "error")
        return redirect(url_for("learn.quiz", slug=slug))
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> QuizAttempt:
    """Someone else's attempt is answered as if it did not exist."""
    return visible_or_404(QuizAttempt, attempt_id, lambda user, a: a.user_id == user.id)


@bp.get("/attempts/<int:attempt_id>")
@learner
def attempt(attempt_id: int):
    """The attempt's questions, or its result once submitted."""
    found = _own_attempt(attempt_id)
    return _render_attempt(found)


def _render_attempt(found: QuizAttempt, errors=None, answers=None, status=200):
    template = "learn/attempt_result.html" if found.submission else "learn/attempt.html"
    module = found.progress.module
    version = found.progress.version
    shown = quizzes.attempt_questions(found)
    marks = quizzes.marks(found) if found.submission else {}
    failed = found.submission is not None and not found.submission.passed
    return render_template(
        template,
        attempt=found,
        module=module,
        version=version,
        shown=shown,
        marks=marks,
        revisit=(
            quizzes.lessons_to_revisit(version.lessons, [q for q, _ in shown], marks)
            if failed
            else []
        ),
        errors=errors or [],
        answers=answers or {},
        next_url=step_url(progress.next_step(current_user.id, module)),
    ), status


@bp.post("/attempts/<int:attempt_id>")
@learner
def submit_attempt(attempt_id: int):
    """Grade an attempt once; a repeat (double click, back, two tabs) shows the first result."""
    found = _own_attempt(attempt_id)
    key = request.form.get("key", "")
    try:
        if found.submission is not None:
            quizzes.submit(found, key, {})  # checks the key; never grades twice
            flash("This attempt was already submitted. This is its result.", "info")
            return redirect(url_for("learn.attempt", attempt_id=found.id))
        answers, missing = quizzes.parse_answers(found, request.form.to_dict(flat=False))
        if missing:
            return _render_attempt(found, errors=missing, answers=answers, status=422)
        _, created = quizzes.submit(found, key, answers)
    except quizzes.QuizError as error:
        abort_for(error)
    if not created:
        flash("This attempt was already submitted. This is its result.", "info")
    return redirect(url_for("learn.attempt", attempt_id=found.id))
