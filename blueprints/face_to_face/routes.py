"""Face-to-face sessions: scheduling, booking and the register."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import client_ip, role_required, signed_in, visible_or_404
from blueprints.converters import as_id
from blueprints.face_to_face.forms import ScheduleForm, parse_subject, subject_choices
from blueprints.form_errors import show_error
from signpost import attendance as register_of
from signpost import catalogue, external, face_to_face
from signpost.errors import DomainError
from signpost.extensions import db
from signpost.models import Agency, Role, TrainingSession, utcnow

bp = Blueprint("face_to_face", __name__, template_folder="templates")
organiser = role_required(Role.ADMIN, Role.AGENCY_LEAD)


@bp.context_processor
def _helpers():
    def local(moment, fmt="%a %-d %B %Y, %H:%M"):
        return face_to_face.to_local(moment).strftime(fmt)

    return {"local": local}


def _visible_or_404(session_id: int) -> TrainingSession:
    """Sessions of another agency are not there at all, as far as this user can tell."""
    return visible_or_404(TrainingSession, session_id, face_to_face.can_view)


def _organised_or_abort(session_id: int) -> TrainingSession:
    session = _visible_or_404(session_id)
    if not face_to_face.can_organise(current_user, session):
        abort(403, description="Only an administrator or the agency's lead runs this session.")
    return session


def _agency_names() -> dict[int, str]:
    return dict(db.session.execute(select(Agency.id, Agency.name)).all())


@bp.get("/")
@signed_in
def index():
    """Sessions the user can book, their bookings, and for organisers the sessions they run."""
    now = utcnow()
    upcoming = face_to_face.upcoming_for(current_user, now)
    organised = face_to_face.organised_by(current_user, now)
    mine = face_to_face.bookings_of(current_user)
    return render_template(
        "face_to_face/index.html",
        upcoming=upcoming,
        organised=organised,
        mine=mine,
        booked={b.session_id for b in mine},
        taken=face_to_face.taken_by_session([s.id for s in upcoming + organised]),
        agencies=_agency_names(),
        recorded=external.for_person(current_user.id),
        subject_of=external.subject_of,
        organiser=current_user.has_role(Role.ADMIN, Role.AGENCY_LEAD),
        auditor=current_user.has_role(Role.AUDITOR),
        now=now,
    )


@bp.get("/<int:session_id>")
@signed_in
def detail(session_id: int):
    """A session, with Book or Cancel booking for learners and links for its organisers."""
    session = _visible_or_404(session_id)
    return render_template(
        "face_to_face/detail.html",
        session=session,
        covers=catalogue.subject_title(session.course or session.module),
        taken=face_to_face.places_taken(session.id),
        booking=face_to_face.booking_for(current_user.id, session.id),
        organiser=face_to_face.can_organise(current_user, session),
        learner=current_user.has_role(Role.LEARNER),
        agencies=_agency_names(),
        now=utcnow(),
    )


@bp.post("/<int:session_id>/book")
@role_required(Role.LEARNER)
def book(session_id: int):
    """Take a place; the last place goes to one person only."""
    session = _visible_or_404(session_id)
    try:
        _, made = face_to_face.book(current_user, session, ip=client_ip())
    except face_to_face.NotAllowed:
        abort(404)
    except face_to_face.FaceToFaceError as error:
        flash(str(error), "error")
    else:
        flash(
            "You have booked a place on this session." if made else "You already have a place.",
            "success",
        )
    return redirect(url_for("face_to_face.detail", session_id=session_id), 303)


@bp.post("/<int:session_id>/cancel-booking")
@role_required(Role.LEARNER)
def cancel_booking(session_id: int):
    """Give up a place before the session starts."""
    session = _visible_or_404(session_id)
    try:
        face_to_face.cancel_booking(current_user, session, ip=client_ip())
    except face_to_face.FaceToFaceError as error:
        flash(str(error), "error")
    else:
        flash("Your booking has been cancelled.", "success")
    return redirect(url_for("face_to_face.detail", session_id=session_id), 303)


@bp.route("/new", methods=["GET", "POST"])
@organiser
def schedule():
    """Schedule a session; an agency lead's sessions are for their own agency."""
    form = ScheduleForm()
    form.subject.choices = subject_choices()
    admin = current_user.has_role(Role.ADMIN)
    if admin:
        names = sorted(_agency_names().items(), key=lambda item: item[1])
        form.agency.choices = [("", "Staff of every agency")] + [(str(i), n) for i, n in names]
    else:
        del form.agency
    if form.validate_on_submit():
        course_id, module_id = parse_subject(form.subject.data)
        agency = form.agency.data if admin else None
        try:
            session = face_to_face.schedule(
                current_user,
                title=form.title.data,
                course_id=course_id,
                module_id=module_id,
                agency_id=int(agency) if agency else None,
                starts_at=face_to_face.to_utc(form.starts_at.data),
                ends_at=face_to_face.to_utc(form.ends_at.data),
                place=form.place.data,
                capacity=form.capacity.data,
                notes=form.notes.data,
                ip=client_ip(),
            )
        except DomainError as error:  # a session error, or a course or module not offered
            show_error(form, error)
        else:
            flash("The session has been scheduled. People can book it now.", "success")
            return redirect(url_for("face_to_face.detail", session_id=session.id))
    return render_template("face_to_face/schedule.html", form=form, admin=admin)


@bp.post("/<int:session_id>/cancel")
@organiser
def cancel(session_id: int):
    """Call off a session."""
    session = _organised_or_abort(session_id)
    try:
        face_to_face.cancel_session(current_user, session, ip=client_ip())
    except face_to_face.FaceToFaceError as error:
        flash(str(error), "error")
    else:
        flash("The session has been cancelled.", "success")
    return redirect(url_for("face_to_face.detail", session_id=session_id), 303)


def _marks(form) -> dict[int, bool]:
    """Posted `attended-<booking id>` = yes | no, as {booking id: attended}."""
    marks = {}
    for name, value in form.items():
        if not name.startswith("attended-"):
            continue
        ident = as_id(name.removeprefix("attended-"))
        if ident is None or value not in ("yes", "no"):
            raise face_to_face.FaceToFaceError(
                "The register sent was not in the right form. Nothing was saved."
            )
        marks[ident] = value == "yes"
    return marks


@bp.route("/<int:session_id>/attendance", methods=["GET", "POST"])
@organiser
def attendance(session_id: int):
    """The register: attended or not, for each booking, saved in one go."""
    session = _organised_or_abort(session_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            changed, made = register_of.mark_attendance(
                current_user,
                session,
                _marks(request.form),
                ip=client_ip(),
            )
        except face_to_face.NotAllowed:
            abort(403)
        except face_to_face.FaceToFaceError as refused:
            error, status = refused, 409
        else:
            done = (
                f" {len(made)} course completion{'s' if len(made) != 1 else ''} recorded."
                if made
                else ""
            )
            flash(f"Attendance saved ({changed} changed).{done}", "success")
            return redirect(url_for("face_to_face.attendance", session_id=session_id), 303)
    bookings = sorted(session.bookings, key=lambda b: (b.user.name.lower(), b.id))
    page = render_template(
        "face_to_face/attendance.html",
        session=session,
        bookings=bookings,
        error=error,
        submitted=request.form if error else {},
        started=session.starts_at <= utcnow(),
    )
    return page, status
