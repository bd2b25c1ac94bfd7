"""Face-to-face sessions: scheduling, booking, cancelling and taking attendance."""

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from signpost import audit, catalogue
from signpost.errors import DomainError, NotPermitted
from signpost.extensions import db
from signpost.models import (
    Booking,
    TrainingSession,
    User,
    utcnow,
)
from signpost.scope import scope_of

# Sessions happen in a room in the UK: people enter and read UK times; we store UTC.
LOCAL_ZONE = ZoneInfo("Europe/London")
MAX_CAPACITY = 1000


class FaceToFaceError(DomainError):
    """An action on a session that cannot be carried out; `about` names the detail at fault."""


class NotAllowed(FaceToFaceError, NotPermitted):
    """The user may not act on this session or person."""


def to_utc(local: dt.datetime) -> dt.datetime:
    """A naive UK wall-clock time as naive UTC."""
    return local.replace(tzinfo=LOCAL_ZONE).astimezone(dt.UTC).replace(tzinfo=None)


def to_local(utc: dt.datetime) -> dt.datetime:
    """A naive UTC time as naive UK wall-clock time."""
    return utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None)


def _offered_to(user: User, agency_column):
    # Open sessions and the user's own agency's, as a learner; the rest by scope.
    return or_(
        agency_column.is_(None),
        agency_column == user.agency_id,
        scope_of(user).agency_condition(agency_column),
    )


def can_view(user: User, session: TrainingSession) -> bool:
    """Open sessions, the user's own agency's sessions, and any in the user's scope."""
    return (
        session.agency_id is None
        or session.agency_id == user.agency_id
        or scope_of(user).covers_agency(session.agency_id)
    )


def can_organise(user: User, session: TrainingSession) -> bool:
    """Admins run any session; an agency lead runs their own agency's sessions only."""
    return scope_of(user).may_manage_agency(session.agency_id)


def places_taken(session_id: int) -> int:
    """How many bookings a session has."""
    return db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.session_id == session_id)
    )


def taken_by_session(session_ids: list[int]) -> dict[int, int]:
    """Bookings per session, for a list of sessions."""
    rows = db.session.execute(
        select(Booking.session_id, func.count())
        .where(Booking.session_id.in_(session_ids))
        .group_by(Booking.session_id)
    )
    return dict(rows.all())


def booking_for(user_id: int, session_id: int) -> Booking | None:
    """A person's booking on a session, if any."""
    return db.session.scalar(
        select(Booking).where(Booking.session_id == session_id, Booking.user_id == user_id)
    )


def upcoming_for(user: User, now: dt.datetime | None = None) -> list[TrainingSession]:
    """Sessions not yet started that the user can see, soonest first."""
    now = now or utcnow()
    query = select(TrainingSession).where(
        TrainingSession.cancelled_at.is_(None), TrainingSession.starts_at > now
    )
    query = query.where(_offered_to(user, TrainingSession.agency_id))
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at).limit(200)))


def organised_by(
    user: User, now: dt.datetime | None = None, days: int = 90
) -> list[TrainingSession]:
    """Sessions the user runs, from `days` ago on: for taking attendance and cancelling."""
    since = (now or utcnow()) - dt.timedelta(days=days)
    query = select(TrainingSession).where(TrainingSession.ends_at > since)
    scope = scope_of(user)
    if not (scope.manages_everywhere or scope.manages_own):
        return []
    if not scope.manages_everywhere:
        query = query.where(TrainingSession.agency_id == scope.agency_id)
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at).limit(200)))


def bookings_of(user: User) -> list[Booking]:
    """A person's bookings, latest session first."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(TrainingSession)
            .where(Booking.user_id == user.id)
            .order_by(TrainingSession.starts_at.desc())
            .limit(100)
        )
    )


def schedule(
    actor: User,
    *,
    title: str,
    course_id: int | None,
    module_id: int | None,
    agency_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    capacity: int,
    notes: str = "",
    now: dt.datetime | None = None,
    ip: str | None = None,
) -> TrainingSession:
    """Schedule a session for a course or a module; a lead's session is for their agency."""
    now = now or utcnow()
    agency_id = _session_agency(actor, agency_id)
    subject = catalogue.find_subject(course_id, module_id)
    place = _checked_arrangements(starts_at, ends_at, place, capacity, now)
    session = TrainingSession(
        title=((title or "").strip() or catalogue.subject_title(subject))[:300],
        course_id=course_id,
        module_id=module_id,
        agency_id=agency_id,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place[:300],
        capacity=capacity,
        notes=(notes or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session_scheduled",
        actor=actor,
        target=session,
        ip=ip,
        agency_id=agency_id,
        title=session.title,
        starts_at=starts_at.isoformat(),
        capacity=capacity,
    )
    return session


def _session_agency(actor: User, agency_id: int | None) -> int | None:
    """Whose staff a new session is for: any agency (or all) for admins, a lead's own."""
    scope = scope_of(actor)
    if not (scope.manages_everywhere or scope.manages_own):
        raise NotAllowed("Only administrators and agency leads schedule sessions.")
    if scope.manages_everywhere:
        return agency_id
    if agency_id not in (None, scope.agency_id):
        raise NotAllowed("You can schedule sessions for your own agency only.", "agency_id")
    return scope.agency_id


def _checked_arrangements(starts_at, ends_at, place, capacity, now) -> str:
    """The place, trimmed, once the times, place and capacity are all acceptable."""
    if starts_at <= now:
        raise FaceToFaceError("The session must start in the future.", "starts_at")
    if ends_at <= starts_at:
        raise FaceToFaceError("The session must end after it starts.", "ends_at")
    place = (place or "").strip()
    if not place:
        raise FaceToFaceError("Enter where the session takes place.", "place")
    if capacity is None or capacity < 1:
        raise FaceToFaceError("The session needs at least 1 place.", "capacity")
    if capacity > MAX_CAPACITY:
        raise FaceToFaceError(f"A session can have at most {MAX_CAPACITY} places.", "capacity")
    return place


def locked(session: TrainingSession) -> TrainingSession:
    # PostgreSQL: hold the session row until commit, so concurrent bookings on it queue up
    # and each counts the places after the previous one committed. SQLite ignores FOR
    # UPDATE; there the whole transaction already holds the write lock (BEGIN IMMEDIATE).
    return db.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def book(
    user: User, session: TrainingSession, now: dt.datetime | None = None, ip: str | None = None
) -> tuple[Booking, bool]:
    """Take a place on a session; returns (booking, made now). Never overbooks."""
    now = now or utcnow()
    if session.agency_id is not None and session.agency_id != user.agency_id:
        raise NotAllowed("This session is for staff of another agency.")
    session = locked(session)
    if session.cancelled_at is not None:
        raise FaceToFaceError("This session has been cancelled.")
    if session.starts_at <= now:
        raise FaceToFaceError("This session has already started, so it can no longer be booked.")
    existing = booking_for(user.id, session.id)
    if existing is not None:
        return existing, False  # a double click, or a second tab
    if places_taken(session.id) >= session.capacity:
        raise FaceToFaceError("Sorry, this session is full.")
    booking = Booking(session_id=session.id, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError:
        return booking_for(user.id, session.id), False
    audit.record("session_booked", actor=user, target=session, ip=ip, booking=booking.id)
    return booking, True


def cancel_booking(
    user: User, session: TrainingSession, now: dt.datetime | None = None, ip: str | None = None
) -> None:
    """Give up a place, before the session starts."""
    now = now or utcnow()
    session = locked(session)
    booking = booking_for(user.id, session.id)
    if booking is None:
        raise FaceToFaceError("You have no booking on this session.")
    if session.starts_at <= now:
        raise FaceToFaceError(
            "This session has started, so the booking can no longer be cancelled."
        )
    db.session.delete(booking)
    audit.record("booking_cancelled", actor=user, target=session, ip=ip)


def cancel_session(
    actor: User, session: TrainingSession, now: dt.datetime | None = None, ip: str | None = None
) -> None:
    """Call off a session; its bookings stay on record."""
    if not can_organise(actor, session):
        raise NotAllowed("You cannot cancel this session.")
    session = locked(session)
    if session.cancelled_at is not None:
        raise FaceToFaceError("This session has already been cancelled.")
    marked = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.session_id == session.id, Booking.attended.is_not(None))
    )
    if marked:
        raise FaceToFaceError(
            "Attendance has been taken for this session, so it cannot be cancelled."
        )
    session.cancelled_at = now or utcnow()
    audit.record(
        "session_cancelled",
        actor=actor,
        target=session,
        ip=ip,
        agency_id=session.agency_id,
        bookings=places_taken(session.id),
    )
