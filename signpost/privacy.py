"""Personal data: a person's own copy, erasure, and removing details after a retention period."""

import datetime as dt
import enum
from datetime import timedelta

from sqlalchemy import Text, and_, cast, delete, inspect, or_, select

from signpost import audit
from signpost.errors import Invalid
from signpost.extensions import db
from signpost.models import (
    Assignment,
    AuditEvent,
    Booking,
    Certificate,
    CertificatePdf,
    ConfidenceRating,
    CourseCompletion,
    ExternalCompletion,
    LessonCompletion,
    ModuleProgress,
    PasswordResetToken,
    QuizAttempt,
    Role,
    ScenarioRun,
    User,
    utcnow,
)

ERASED_HOLDER = "Erased user"


class PrivacyError(Invalid):
    """An erasure that cannot be carried out."""


def _value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(obj, skip=()) -> dict:
    """Every column of a row, except binary data and those named in `skip`."""
    return {
        attr.key: _value(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in skip and not isinstance(getattr(obj, attr.key), bytes)
    }


def _all(stmt) -> list:
    return list(db.session.scalars(stmt))


def export_user(user: User) -> dict:
    """Everything Signpost holds about a person, as JSON-ready data."""
    # Long on purpose: one literal, one key per kind of record, so that a reviewer can check
    # at a glance that nothing held about the person is missing from a subject access export.
    progress = _all(select(ModuleProgress).where(ModuleProgress.user_id == user.id))
    progress_ids = [p.id for p in progress]
    attempts = _all(select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    runs = _all(select(ScenarioRun).where(ScenarioRun.user_id == user.id))
    return {
        "exported_at": utcnow().isoformat(),
        "profile": _row(user, skip=("password_hash", "session_version")),
        "roles": sorted(role.value for role in user.roles),
        "agency": _row(user.agency),
        "team": _row(user.team) if user.team else None,
        "assignments": [
            _row(a) | {"course": a.course.title}
            for a in _all(select(Assignment).where(Assignment.user_id == user.id))
        ],
        "module_progress": [
            _row(p) | {"module": p.module.slug, "module_title": p.version.title} for p in progress
        ],
        "lesson_completions": [
            _row(c)
            for c in _all(
                select(LessonCompletion).where(LessonCompletion.progress_id.in_(progress_ids))
            )
        ],
        "quiz_attempts": [
            _row(a)
            | {
                "quiz": a.quiz.title,
                "submission": _row(a.submission) if a.submission else None,
            }
            for a in attempts
        ],
        "scenario_runs": [
            _row(r) | {"scenario": r.scenario.title, "steps": [_row(s) for s in r.steps]}
            for r in runs
        ],
        "course_completions": [
            _row(c) | {"course": c.course.title}
            for c in _all(select(CourseCompletion).where(CourseCompletion.user_id == user.id))
        ],
        "certificates": [
            _row(c) for c in _all(select(Certificate).where(Certificate.user_id == user.id))
        ],
        "bookings": [
            _row(b) | {"session": b.session.title, "starts_at": _value(b.session.starts_at)}
            for b in _all(select(Booking).where(Booking.user_id == user.id))
        ],
        "external_completions": [
            _row(e)
            for e in _all(select(ExternalCompletion).where(ExternalCompletion.user_id == user.id))
        ],
        "confidence_ratings": [
            _row(c)
            for c in _all(select(ConfidenceRating).where(ConfidenceRating.user_id == user.id))
        ],
        "audit_events": [
            _row(e)
            for e in _all(
                select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
            )
        ],
    }


def record_export(user: User, actor: User, ip: str | None = None) -> None:
    """Note in the audit log that a person's data was downloaded."""
    audit.record(
        "personal_data_exported", actor=actor, target=user, ip=ip, agency_id=user.agency_id
    )


def _scrub(value, secrets: list[str], placeholder: str):
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, placeholder)
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets, placeholder) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secrets, placeholder) for k, v in value.items()}
    return value


def _scrub_audit(user: User, secrets: list[str], placeholder: str) -> None:
    # The log keeps who did what; only copies of the name or email inside details go.
    mentions = [cast(AuditEvent.detail, Text).contains(s) for s in secrets]
    events = db.session.scalars(
        select(AuditEvent).where(
            or_(
                AuditEvent.actor_id == user.id,
                and_(AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id)),
                *mentions,
            )
        )
    )
    for event in list(events):
        cleaned = _scrub(event.detail or {}, secrets, placeholder)
        if cleaned != event.detail:
            audit.redact(event, cleaned)  # the one change the append-only log allows


def _erase(user: User) -> None:
    placeholder = f"Erased user {user.id}"
    secrets = sorted({s for s in (user.email, user.name) if s and len(s) >= 3}, key=len)[::-1]
    _scrub_audit(user, secrets, placeholder)
    cert_ids = select(Certificate.id).where(Certificate.user_id == user.id)
    # Stored PDFs print the holder's name; they are rendered again, anonymously, if needed.
    db.session.execute(delete(CertificatePdf).where(CertificatePdf.certificate_id.in_(cert_ids)))
    for cert in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)):
        cert.holder_name = ERASED_HOLDER
    for record in db.session.scalars(
        select(ExternalCompletion).where(ExternalCompletion.user_id == user.id)
    ):
        record.note, record.evidence, record.decision_note = "", None, None
        record.evidence_name = record.evidence_type = None
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    user.name = placeholder
    user.email = f"erased-{user.id}@erased.invalid"
    user.password_hash = None
    user.job_title = None
    user.active = False
    user.summary_emails = False
    user.deactivated_at = user.deactivated_at or utcnow()
    user.erased_at = utcnow()
    user.session_version = (user.session_version or 0) + 1


def erase_user(user: User, actor: User, ip: str | None = None) -> None:
    """Remove a person's details but keep their anonymous records; the caller commits."""
    if not actor.has_role(Role.ADMIN):
        raise PrivacyError("Only an administrator can erase a person's details.")
    if user.id == actor.id:
        raise PrivacyError("You cannot erase your own account.")
    if user.erased_at is not None:
        raise PrivacyError("This person's details have already been erased.")
    _erase(user)
    audit.record("user_erased", actor=actor, target=user, ip=ip, agency_id=user.agency_id)


def inactive_since(cutoff: dt.datetime):
    """People not erased yet whose last sign-in (or creation, if none) is before `cutoff`."""
    return select(User).where(
        User.erased_at.is_(None),
        or_(
            User.last_login_at < cutoff,
            and_(User.last_login_at.is_(None), User.created_at < cutoff),
        ),
    )


def apply_retention(days: int, now: dt.datetime | None = None) -> list[int]:
    """Erase everyone inactive for more than `days` days; 0 means retention is off."""
    if days <= 0:
        return []
    cutoff = (now or utcnow()) - timedelta(days=days)
    people = list(db.session.scalars(inactive_since(cutoff).order_by(User.id)))
    for person in people:
        _erase(person)
        audit.record("user_erased", target=person, agency_id=person.agency_id, reason="retention")
    erased = [p.id for p in people]
    audit.record("retention_applied", days=days, erased=len(erased), user_ids=erased)
    return erased
