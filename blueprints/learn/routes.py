"""The learner's pages: my learning, courses, modules, lessons, quizzes and scenarios."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required, visible_or_404
from blueprints.errors import abort_for
from blueprints.learn.steps import step_url
from signpost import catalogue, certificates, completion, progress, quizzes, scenarios
from signpost.models import QuizAttempt, Role, ScenarioRun, utcnow

bp = Blueprint("learn", __name__, template_folder="templates")
learner = role_required(Role.LEARNER)


def _module_or_404(slug: str):
    return catalogue.module_by_slug(slug) or abort(404)


def _progress_or_start_page(module):
    """The learner's pass through a module; None means they must start it first."""
    return progress.current_progress(current_user.id, module.id)


def _scenario_or_404(mine, scenario_slug: str):
    found = next((s for s in mine.version.scenarios if s.slug == scenario_slug), None)
    return found or abort(404)


@bp.get("/")
@learner
def index():
    """My learning: assigned and optional courses with status and a continue button."""
    return render_template(
        "learn/index.html",
        certificates=certificates.current_by_course(current_user.id),
        summaries=progress.my_learning(current_user),
        labels=completion.STATUS_LABELS,
        step_url=step_url,
        now=utcnow(),
    )


@bp.get("/courses/<slug>")
@learner
def course(slug: str):
    """A course and the learner's standing in each module."""
    found = catalogue.course_by_slug(slug) or abort(404)
    assignment = next(
        (a for a in progress.my_learning(current_user) if a.course.id == found.id),
        None,
    )
    return render_template(
        "learn/course.html", summary=assignment, labels=completion.STATUS_LABELS, step_url=step_url
    )


@bp.get("/modules/<slug>")
@learner
def module(slug: str):
    """A module's contents page, with its content note before anything starts."""
    found = _module_or_404(slug)
    summary = progress.summarise_module(current_user.id, found)
    mine = (
        None
        if summary.status == "not_started"
        else progress.current_progress(current_user.id, found.id)
    )
    version = mine.version if mine else catalogue.latest_version(found.id) or abort(404)
    return render_template(
        "learn/module.html",
        module=found,
        version=version,
        progress=mine,
        summary=summary,
        done=progress.done_lesson_ids(mine),
        step_url=step_url,
        courses=progress.courses_with_module(found.id),
        certificates=certificates.current_by_course(current_user.id),
    )


@bp.post("/modules/<slug>/start")
@learner
def start(slug: str):
    """Begin (or resume) a module, then go to its next step."""
    found = _module_or_404(slug)
    progress.start_module(current_user, found)
    return redirect(step_url(progress.next_step(current_user.id, found)))


@bp.get("/modules/<slug>/lessons/<lesson_slug>")
@learner
def lesson(slug: str, lesson_slug: str):
    """One lesson page of the learner's version."""
    found = _module_or_404(slug)
    mine = _progress_or_start_page(found)
    if mine is None:
        flash("Start the module to begin its lessons.", "info")
        return redirect(url_for("learn.module", slug=slug))
    version = mine.version
    page = catalogue.lesson_in(version, lesson_slug) or abort(404)
    index = version.lessons.index(page)
    return render_template(
        "learn/lesson.html",
        module=found,
        version=version,
        lesson=page,
        number=index + 1,
        done=progress.done_lesson_ids(mine),
        previous=version.lessons[index - 1] if index else None,
        following=version.lessons[index + 1] if index + 1 < len(version.lessons) else None,
    )


@bp.post("/modules/<slug>/lessons/<lesson_slug>/done")
@learner
def lesson_done(slug: str, lesson_slug: str):
    """The learner reached the end of a lesson: record it and move on."""
    found = _module_or_404(slug)
    mine = _progress_or_start_page(found) or abort(409, description="Start the module first.")
    page = catalogue.lesson_in(mine.version, lesson_slug) or abort(404)
    progress.complete_lesson(mine, page)
    return redirect(step_url(progress.next_step(current_user.id, found)))


@bp.get("/modules/<slug>/quiz")
@learner
def quiz(slug: str):
    """The quiz's rules and the learner's attempt history."""
    found = _module_or_404(slug)
    mine = _progress_or_start_page(found)
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
    found = _module_or_404(slug)
    mine = _progress_or_start_page(found) or abort(409, description="Start the module first.")
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
    return render_template(
        template,
        attempt=found,
        module=module,
        version=found.progress.version,
        shown=quizzes.attempt_questions(found),
        marks=quizzes.marks(found) if found.submission else {},
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


@bp.get("/modules/<slug>/scenarios/<scenario_slug>")
@learner
def scenario(slug: str, scenario_slug: str):
    """A scenario's introduction and the learner's runs."""
    found = _module_or_404(slug)
    mine = _progress_or_start_page(found)
    if mine is None:
        return redirect(url_for("learn.module", slug=slug))
    chosen = _scenario_or_404(mine, scenario_slug)
    return render_template(
        "learn/scenario.html",
        module=found,
        version=mine.version,
        scenario=chosen,
        runs=scenarios.runs(mine, chosen),
    )


@bp.post("/modules/<slug>/scenarios/<scenario_slug>/start")
@learner
def scenario_start(slug: str, scenario_slug: str):
    """Start a run (or resume the unfinished one)."""
    found = _module_or_404(slug)
    mine = _progress_or_start_page(found) or abort(409, description="Start the module first.")
    chosen = _scenario_or_404(mine, scenario_slug)
    run = scenarios.start_run(mine, chosen)
    return redirect(url_for("learn.run", run_id=run.id))


def _own_run(run_id: int) -> ScenarioRun:
    """Someone else's run is answered as if it did not exist."""
    return visible_or_404(ScenarioRun, run_id, lambda user, r: r.user_id == user.id)


def _render_run(run: ScenarioRun, message: str | None = None, status: int = 200):
    module = run.progress.module
    context = {
        "run": run,
        "module": module,
        "version": run.progress.version,
        "scenario": run.scenario,
        "message": message,
        "next_url": step_url(progress.next_step(current_user.id, module)),
    }
    if run.finished_at is not None:
        context.update(
            ending=scenarios.node(run.scenario, run.current_key),
            rows=scenarios.debrief(run),
            route=scenarios.recommended_route(run.scenario),
        )
        return render_template("learn/run_debrief.html", **context), status
    last = run.steps[-1] if run.steps else None
    context.update(
        node=scenarios.node(run.scenario, run.current_key),
        last_choice=_choice(run, last) if last else None,
        step=len(run.steps),
    )
    return render_template("learn/run.html", **context), status


def _choice(run: ScenarioRun, taken):
    at = scenarios.node(run.scenario, taken.node_key)
    return next(c for c in at.choices if c.id == taken.choice_id)


@bp.get("/runs/<int:run_id>")
@learner
def run(run_id: int):
    """The current decision, or the debrief once the run has ended."""
    return _render_run(_own_run(run_id))


@bp.post("/runs/<int:run_id>")
@learner
def run_choose(run_id: int):
    """Record one decision."""
    found = _own_run(run_id)
    try:
        step = int(request.form.get("step", ""))
    except ValueError:
        abort(400, description="The decision sent was not in the right form. Nothing was saved.")
    if "choice" not in request.form:
        if found.finished_at is None and step == len(found.steps):
            return _render_run(found, "Choose what you would do, then continue.", 422)
        choice_id = -1  # a stale, empty form: let choose() explain what happened
    else:
        try:
            choice_id = int(request.form["choice"])
        except ValueError:
            abort(
                400, description="The decision sent was not in the right form. Nothing was saved."
            )
    try:
        scenarios.choose(found, step, choice_id)
    except scenarios.MovedOn as error:
        return _render_run(found, str(error), 409)
    except scenarios.ScenarioError as error:
        abort_for(error)
    return redirect(url_for("learn.run", run_id=found.id))
