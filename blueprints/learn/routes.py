"""The learner's pages: my learning, courses, modules and lessons (quizzes and scenarios
have route modules of their own)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.learn import quiz_routes, scenario_routes  # noqa: F401 - they add routes to bp
from blueprints.learn.blueprint import bp, learner, module_or_404, progress_or_start_page
from blueprints.learn.steps import step_url
from signpost import catalogue, certificates, completion, progress
from signpost.models import utcnow

__all__ = ["bp"]


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
    found = module_or_404(slug)
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
    found = module_or_404(slug)
    progress.start_module(current_user, found)
    return redirect(step_url(progress.next_step(current_user.id, found)))


@bp.get("/modules/<slug>/lessons/<lesson_slug>")
@learner
def lesson(slug: str, lesson_slug: str):
    """One lesson page of the learner's version."""
    found = module_or_404(slug)
    mine = progress_or_start_page(found)
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
    found = module_or_404(slug)
    mine = progress_or_start_page(found) or abort(409, description="Start the module first.")
    page = catalogue.lesson_in(mine.version, lesson_slug) or abort(404)
    progress.complete_lesson(mine, page)
    return redirect(step_url(progress.next_step(current_user.id, found)))
