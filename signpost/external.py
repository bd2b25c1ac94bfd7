"""Training completed outside Signpost: recorded with evidence, counted, reported apart."""

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import defer

from signpost import accounts, audit, catalogue, completion, progress
from signpost.errors import Conflict, Invalid, NotFound
from signpost.evidence import MAX_EVIDENCE_BYTES as MAX_EVIDENCE_BYTES  # re-exported
from signpost.evidence import ExternalError, check_evidence, safe_filename
from signpost.evidence import sniff as sniff  # re-exported
from signpost.extensions import db
from signpost.face_to_face import NotAllowed
from signpost.models import (
    Course,
    CourseCompletion,
    ExternalCompletion,
    Module,
    User,
    utcnow,
)
from signpost.scope import scope_of

MAX_NOTE = 2000
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUS_LABELS = {PENDING: "Awaiting approval", APPROVED: "Approved", REJECTED: "Rejected"}


def can_record_for(actor: User, person: User) -> bool:
    """Admins record for anyone; an agency lead for their own agency's staff only."""
    if person.erased_at is not None:
        return False
    return scope_of(actor).may_manage(person)


def can_see(user: User, record: ExternalCompletion) -> bool:
    """The person, their agency's leads, board auditors and admins."""
    return scope_of(user).covers(db.session.get(User, record.user_id))


def person_by_email(actor: User, email: str) -> User | None:
    """Someone the actor may record a completion for, found by email."""
    person = accounts.find_user_by_email(email)
    if person is None or not can_record_for(actor, person):
        return None
    return person


def _checked_note(completed_on: dt.date | None, note: str | None, today: dt.date) -> str:
    """The note, trimmed, once the date and the note are acceptable."""
    if completed_on is None or completed_on > today:
        raise ExternalError("The date completed cannot be in the future.", "completed_on")
    note = (note or "").strip()
    if not note:
        raise ExternalError("Add a note: where and how the training was done.", "note")
    if len(note) > MAX_NOTE:
        raise ExternalError(f"The note must be {MAX_NOTE} characters or fewer.", "note")
    return note


def _complete(person: User, subject, completed_on: dt.date) -> list[CourseCompletion]:
    # Dated by the end of the day it was done.
    at = dt.datetime.combine(completed_on, dt.time.max)
    modules = subject.modules if isinstance(subject, Course) else [subject]
    made = []
    for module in modules:
        mine = progress.start_module(person, module)
        made += completion.record_module_completed(mine, "external", at)
    return made


def _check_recorder(actor: User, person: User) -> None:
    """Refuse recording for oneself, or for someone outside the actor's agency."""
    if actor.id == person.id:
        raise NotAllowed(
            "You cannot record training for yourself: ask another lead of your agency "
            "or an admin to record it.",
            "email",
        )
    if not can_record_for(actor, person):
        raise NotAllowed("You can record completions for your own agency's staff only.", "email")


def record(
    actor: User,
    person: User,
    *,
    course_id: int | None,
    module_id: int | None,
    completed_on: dt.date,
    note: str,
    evidence_name: str,
    evidence: bytes,
    today: dt.date | None = None,
    ip: str | None = None,
) -> ExternalCompletion:
    """Record training done elsewhere, pending until a second person approves it."""
    _check_recorder(actor, person)
    subject = catalogue.find_subject(course_id, module_id)
    note = _checked_note(completed_on, note, today or utcnow().date())
    name = safe_filename(evidence_name)
    media_type = check_evidence(name, evidence)
    entry = ExternalCompletion(
        user_id=person.id,
        course_id=course_id,
        module_id=module_id,
        completed_on=completed_on,
        note=note,
        evidence_name=name,
        evidence_type=media_type,
        evidence=evidence,
        recorded_by_id=actor.id,
        status=PENDING,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "external_completion_recorded",
        actor=actor,
        target=entry,
        ip=ip,
        agency_id=person.agency_id,
        user=person.id,
        subject=catalogue.subject_title(subject),
        completed_on=completed_on.isoformat(),
        evidence=name,
        size=len(evidence),
        status=PENDING,
    )
    return entry


def _decidable(actor: User, entry: ExternalCompletion) -> User:
    """The learner, once the actor may decide on this still-pending record."""
    person = db.session.get(User, entry.user_id)
    if not scope_of(actor).may_manage(person):
        raise NotFound("No such record.")
    if actor.id == entry.user_id:
        raise NotAllowed("You cannot approve training recorded for yourself.")
    if actor.id == entry.recorded_by_id:
        raise NotAllowed(
            "You recorded this training, so another lead of the agency or an admin must approve it."
        )
    if entry.status != PENDING:
        raise Conflict("This record has already been decided.")
    if person.erased_at is not None:
        raise Conflict("This person's account has been erased.")
    return person


def _decide(entry: ExternalCompletion, **values) -> None:
    """Move a pending record on, once only even if two people decide at the same moment."""
    moved = db.session.execute(
        update(ExternalCompletion)
        .where(ExternalCompletion.id == entry.id, ExternalCompletion.status == PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict("This record has already been decided.")
    db.session.refresh(entry)


def _decision_detail(entry: ExternalCompletion, person: User) -> dict:
    """What both decision events say: whose training, what, and who recorded it."""
    recorder = db.session.get(User, entry.recorded_by_id) if entry.recorded_by_id else None
    return {
        "user": person.id,
        "subject": subject_of(entry),
        "recorded_by": entry.recorded_by_id,
        "recorded_by_name": recorder.name if recorder else None,
    }


def approve(
    actor: User, entry: ExternalCompletion, ip: str | None = None
) -> list[CourseCompletion]:
    """Approve a pending record and complete its module(s) via "external" now."""
    person = _decidable(actor, entry)
    _decide(entry, status=APPROVED, approved_by_id=actor.id, approved_at=utcnow())
    subject = catalogue.find_subject(entry.course_id, entry.module_id)
    made = _complete(person, subject, entry.completed_on)
    audit.record(
        "external_completion_approved",
        actor=actor,
        target=entry,
        ip=ip,
        agency_id=person.agency_id,
        approved_by_name=actor.name,
        courses_completed=len(made),
        **_decision_detail(entry, person),
    )
    return made


def reject(actor: User, entry: ExternalCompletion, reason: str, ip: str | None = None) -> None:
    """Reject a pending record with a reason; nothing is completed."""
    person = _decidable(actor, entry)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason for rejecting the record.", "reason")
    if len(reason) > MAX_NOTE:
        raise Invalid(f"The reason must be {MAX_NOTE} characters or fewer.", "reason")
    _decide(entry, status=REJECTED, decision_note=reason)
    audit.record(
        "external_completion_rejected",
        actor=actor,
        target=entry,
        ip=ip,
        agency_id=person.agency_id,
        rejected_by_name=actor.name,
        reason=reason,
        **_decision_detail(entry, person),
    )


def pending_for(user: User, limit: int = 200) -> list[ExternalCompletion]:
    """Pending records this user may approve: in agencies they manage, not their own."""
    scope = scope_of(user)
    if not (scope.manages_everywhere or scope.manages_own):
        return []
    query = (
        select(ExternalCompletion)
        .join(User, User.id == ExternalCompletion.user_id)
        .options(defer(ExternalCompletion.evidence))
        .where(
            ExternalCompletion.status == PENDING,
            ExternalCompletion.user_id != user.id,
            ExternalCompletion.recorded_by_id.is_distinct_from(user.id),
            User.erased_at.is_(None),
        )
        .order_by(ExternalCompletion.recorded_at, ExternalCompletion.id)
    )
    if not scope.manages_everywhere:
        query = query.where(User.agency_id == scope.managed_agency)
    return list(db.session.scalars(query.limit(limit)))


def visible_to(user: User, limit: int = 200) -> list[ExternalCompletion]:
    """Completions recorded elsewhere that the user may see, newest first."""
    query = (
        select(ExternalCompletion)
        .join(User, User.id == ExternalCompletion.user_id)
        .options(defer(ExternalCompletion.evidence))  # up to 5 MB each: load on download only
    )
    query = query.where(
        scope_of(user).agency_condition(User.agency_id) | (ExternalCompletion.user_id == user.id)
    )
    query = query.order_by(ExternalCompletion.recorded_at.desc(), ExternalCompletion.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def for_person(user_id: int) -> list[ExternalCompletion]:
    """A person's approved completions recorded elsewhere (those that count), newest first."""
    return list(
        db.session.scalars(
            select(ExternalCompletion)
            .where(ExternalCompletion.user_id == user_id, ExternalCompletion.status == APPROVED)
            .options(defer(ExternalCompletion.evidence))
            .order_by(ExternalCompletion.completed_on.desc(), ExternalCompletion.id.desc())
        )
    )


def subject_of(entry: ExternalCompletion) -> str:
    """The title of what was completed."""
    if entry.course_id is not None:
        return catalogue.subject_title(db.session.get(Course, entry.course_id))
    return catalogue.subject_title(db.session.get(Module, entry.module_id))


def downloaded(user: User, entry: ExternalCompletion, ip: str | None = None) -> None:
    """Note in the audit log that someone downloaded the evidence."""
    holder = db.session.get(User, entry.user_id)
    audit.record("evidence_downloaded", actor=user, target=entry, ip=ip, agency_id=holder.agency_id)
