"""Training completed outside Signpost: recorded with evidence, counted, reported apart."""

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import defer

from signpost import accounts, audit, catalogue, completion, progress
from signpost.extensions import db
from signpost.face_to_face import FaceToFaceError, NotAllowed
from signpost.models import (
    Course,
    CourseCompletion,
    ExternalCompletion,
    Module,
    User,
    utcnow,
)
from signpost.scope import scope_of

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_NOTE = 2000

# What the first bytes of each accepted file type are, and the names it may carry.
SIGNATURES = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
]


class ExternalError(FaceToFaceError):
    """A completion that cannot be recorded as given; `about` names the detail at fault."""


def sniff(data: bytes) -> str | None:
    """The media type the file's contents show (PDF, PNG or JPEG), else None."""
    for magic, media_type, _ in SIGNATURES:
        if data.startswith(magic):
            return media_type
    return None


def safe_filename(name: str) -> str:
    """The file's own name, without any folders or characters unsafe in a header."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return (base or "evidence")[-120:]


def check_evidence(name: str, data: bytes) -> str:
    """Refuse anything but a PDF, PNG or JPEG up to 5 MB; returns its media type."""
    if not data:
        raise ExternalError("Choose the evidence file to upload.", "evidence")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ExternalError("The evidence file must be 5 MB or smaller.", "evidence")
    media_type = sniff(data)
    if media_type is None:
        raise ExternalError("The evidence must be a PDF, PNG or JPEG file.", "evidence")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = next(names for _, kind, names in SIGNATURES if kind == media_type)
    if suffix not in allowed:
        raise ExternalError(
            "The evidence file's contents do not match its name: "
            f"it is a {media_type.split('/')[1].upper()} file.",
            "evidence",
        )
    return media_type


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
) -> tuple[ExternalCompletion, list[CourseCompletion]]:
    """Record training done elsewhere and complete its module(s) via "external"."""
    if not can_record_for(actor, person):
        raise NotAllowed("You can record completions for your own agency's staff only.", "email")
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
    )
    db.session.add(entry)
    db.session.flush()
    made = _complete(person, subject, completed_on)
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
        courses_completed=len(made),
    )
    return entry, made


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
    """A person's own completions recorded elsewhere, newest first."""
    return list(
        db.session.scalars(
            select(ExternalCompletion)
            .where(ExternalCompletion.user_id == user_id)
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
