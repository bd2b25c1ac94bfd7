"""The register of a face-to-face session: who attended, and the completions it brings."""

import datetime as dt

from sqlalchemy import select

from signpost import audit, completion, progress
from signpost.extensions import db
from signpost.face_to_face import FaceToFaceError, NotAllowed, can_organise, locked
from signpost.models import Booking, CourseCompletion, TrainingSession, User, utcnow


def _bookings(session: TrainingSession) -> dict[int, Booking]:
    query = (
        select(Booking)
        .where(Booking.session_id == session.id)
        .execution_options(populate_existing=True)
    )
    return {b.id: b for b in db.session.scalars(query)}


def _check_marks(bookings: dict[int, Booking], marks: dict[int, bool]) -> None:
    if set(marks) - set(bookings):
        raise FaceToFaceError(
            "The register sent does not match this session's bookings. Nothing was saved."
        )
    for booking_id, attended in marks.items():
        booking = bookings[booking_id]
        if booking.attended is True and attended is not True:
            raise FaceToFaceError(
                f"{booking.user.name} is already recorded as attending, and that counted towards "
                "their training. Completions are never removed, so this cannot be changed here. "
                "Nothing was saved.",
                f"booking-{booking.id}",
            )


def mark_attendance(
    actor: User,
    session: TrainingSession,
    marks: dict[int, bool],
    now: dt.datetime | None = None,
    ip: str | None = None,
) -> tuple[int, list[CourseCompletion]]:
    """Record who attended; attending completes the session's module or course.

    `marks` maps booking ids to attended (True) or not (False); bookings left out stay as
    they are. Either every mark is saved or, on any error, none. Returns (bookings changed,
    course completions brought about)."""
    now = now or utcnow()
    if not can_organise(actor, session):
        raise NotAllowed("You cannot take attendance for this session.")
    session = locked(session)
    if session.cancelled_at is not None:
        raise FaceToFaceError("This session was cancelled.")
    if session.starts_at > now:
        raise FaceToFaceError("You can take attendance once the session has started.")
    bookings = _bookings(session)
    _check_marks(bookings, marks)  # every mark is checked before any is saved
    changed, made = 0, []
    for booking_id, attended in marks.items():
        booking = bookings[booking_id]
        if booking.attended is attended:
            continue
        booking.attended, booking.marked_by_id, booking.marked_at = attended, actor.id, now
        changed += 1
        audit.record(
            "attendance_marked",
            actor=actor,
            target=booking,
            ip=ip,
            agency_id=booking.user.agency_id,
            session=session.id,
            user=booking.user_id,
            attended=attended,
        )
        if attended:
            made += complete_for_session(booking.user, session, now)
    return changed, made


def complete_for_session(
    user: User,
    session: TrainingSession,
    now: dt.datetime | None = None,
) -> list[CourseCompletion]:
    """Complete the session's module, or every module of its course, via face_to_face."""
    at = min(session.ends_at, now or utcnow())
    modules = [session.module] if session.module_id is not None else session.course.modules
    made = []
    for module in modules:
        mine = progress.start_module(user, module)
        made += completion.record_module_completed(mine, "face_to_face", at)
    return made
