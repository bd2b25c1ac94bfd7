"""The confidence self-assessment pages, the course-page prompt and the completion notice."""

from flask import (
    Blueprint,
    abort,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from blueprints.access import role_required
from signpost import catalogue, confidence, events
from signpost.extensions import db
from signpost.models import Course, CourseCompletion, Role

bp = Blueprint("confidence", __name__, template_folder="templates")
learner = role_required(Role.LEARNER)
SKIPPED = "confidence_skipped"  # session key: offers this browser was told to stop showing

MESSAGES = {
    "recorded": ("Thank you: your answers have been recorded.", "success"),
    "already": ("Your answers were already recorded. Nothing was changed.", "info"),
    "closed": ("There is nothing to rate for this course just now.", "info"),
}


def _course_or_404(slug: str, phase: str) -> Course:
    found = catalogue.course_by_slug(slug)
    if found is None or phase not in confidence.PHASES or not confidence.statements(found):
        abort(404)
    return found


def _skip_key(course: Course, offer: confidence.Offer) -> str:
    return f"{course.id}:{offer.key}"


def _render(course: Course, phase: str, outcome=None, status: int = 200):
    round_ = confidence.open_round(current_user.id, course, phase)
    existing = confidence.rating(current_user.id, course.id, round_, phase) if round_ else None
    return render_template(
        "confidence/rate.html",
        course=course,
        phase=phase,
        statements=confidence.statements(course),
        scale=confidence.SCALE,
        existing=existing,
        existing_scores=confidence.score_list(existing) if existing else [],
        missing=outcome.missing if outcome else (),
        answers=(outcome.answers or {}) if outcome else {},
        field_name=confidence.field_name,
    ), status


@bp.get("/courses/<slug>/confidence/<phase>")
@learner
def rate(slug: str, phase: str):
    """The self-assessment form: one question per statement, 1 to 5."""
    found = _course_or_404(slug, phase)
    if confidence.open_round(current_user.id, found, phase) is None:
        flash(*MESSAGES["closed"])
        return redirect(url_for("learn.course", slug=slug))
    return _render(found, phase)


@bp.post("/courses/<slug>/confidence/<phase>")
@learner
def save(slug: str, phase: str):
    """Record the answers once; a repeat or a late submit changes nothing."""
    found = _course_or_404(slug, phase)
    outcome = confidence.submit(current_user, found, phase, request.form)
    if outcome.status == "invalid":
        return _render(found, phase, outcome, 422)
    flash(*MESSAGES[outcome.status])
    return redirect(url_for("learn.course", slug=slug))


@bp.post("/courses/<slug>/confidence/<phase>/skip")
@learner
def skip(slug: str, phase: str):
    """Stop offering this rating (in this browser); learning carries on regardless."""
    found = _course_or_404(slug, phase)
    round_ = confidence.open_round(current_user.id, found, phase)
    if round_ is not None:
        key = _skip_key(found, confidence.Offer(phase, round_))
        session[SKIPPED] = ([k for k in session.get(SKIPPED, []) if k != key] + [key])[-50:]
    flash("Skipped. Carry on with the course whenever you are ready.", "info")
    return redirect(url_for("learn.course", slug=slug))


@bp.app_context_processor
def _prompt_helper():
    def confidence_offer(course: Course):
        """The rating to suggest on a course page, unless skipped; None otherwise."""
        if not current_user.is_authenticated or not current_user.has_role(Role.LEARNER):
            return None
        offer = confidence.offer(current_user.id, course)
        if offer is None or _skip_key(course, offer) in session.get(SKIPPED, []):
            return None
        return offer

    return {"confidence_offer": confidence_offer}


def _after_completion(completion: CourseCompletion, **_) -> None:
    # Completion happens in the domain, mid-request; the learner should hear at once
    # that they can say how confident they feel now.
    if not has_request_context() or not current_user.is_authenticated:
        return
    if current_user.id != completion.user_id:
        return  # e.g. a trainer recording someone else's face-to-face completion
    course = db.session.get(Course, completion.course_id)
    if course is None or not confidence.statements(course):
        return
    url = url_for("confidence.rate", slug=course.slug, phase=confidence.AFTER)
    flash(
        Markup(
            'You have completed {title}. <a href="{url}">How confident do you feel now?</a> '
            "(optional, about a minute)"
        ).format(title=course.title, url=url),
        "success",
    )


@bp.record_once
def _subscribe(_state) -> None:
    events.course_completed.connect(_after_completion)
