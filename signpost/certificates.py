"""Issuing, verifying, revoking and re-issuing certificates, and who may download them."""

import datetime as dt
import secrets

from sqlalchemy import func, select

from signpost import audit, events
from signpost.completion import add_months
from signpost.config import expiring_days
from signpost.errors import Conflict
from signpost.extensions import db
from signpost.models import (
    Certificate,
    CertificatePdf,
    Course,
    CourseCompletion,
    User,
    utcnow,
)
from signpost.scope import scope_of

# No 0/O, 1/I/L or U: codes are read aloud and typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 16  # about 78 bits: not guessable, not enumerable

STATUS_LABELS = {
    "valid": "Valid",
    "expiring_soon": "Valid, expiring soon",
    "expired": "Expired",
    "revoked": "Revoked",
    "replaced": "Replaced by a newer certificate",
}


class CertificateError(Conflict):
    """An action on a certificate that cannot be carried out."""


def new_code() -> str:
    """A fresh random verification code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, without spaces or hyphens."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")


def display_code(code: str) -> str:
    """A code in groups of four, easier to read and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def find_by_code(text: str) -> Certificate | None:
    """The certificate with exactly this code (after normalising), or None."""
    code = normalise_code(text)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def status(cert: Certificate, now: dt.datetime | None = None) -> str:
    """One of valid, expiring_soon, expired, revoked, replaced."""
    now = now or utcnow()
    if cert.replaced_by_id is not None:
        return "replaced"
    if cert.revoked_at is not None:
        return "revoked"
    if cert.expires_at <= now:
        return "expired"
    if cert.expires_at <= now + dt.timedelta(days=expiring_days()):
        return "expiring_soon"
    return "valid"


def _make(completion: CourseCompletion, user: User, course: Course, sequence: int) -> Certificate:
    cert = Certificate(
        code=new_code(),
        user_id=user.id,
        course_id=course.id,
        completion_id=completion.id,
        sequence=sequence,
        holder_name=user.name,
        agency_name=user.agency.name,
        agency_id=user.agency_id,
        course_title=course.title,
        course_level=course.level,
        cpd_hours=course.cpd_hours,
        completed_at=completion.completed_at,
        expires_at=add_months(completion.completed_at, course.validity_months),
        module_versions=completion.module_versions,
    )
    db.session.add(cert)
    db.session.flush()
    events.certificate_issued.send(cert)
    return cert


def issue(completion: CourseCompletion) -> Certificate:
    """Issue the certificate for a course completion (in the same transaction)."""
    user = db.session.get(User, completion.user_id)
    course = db.session.get(Course, completion.course_id)
    cert = _make(completion, user, course, 1)
    audit.record("certificate_issued", actor=user, target=cert, course=course.slug)
    return cert


def subscribe() -> None:
    """Issue a certificate whenever a course is completed."""
    events.course_completed.connect(_on_course_completed)


def _on_course_completed(completion: CourseCompletion) -> None:
    issue(completion)


def revoke(cert: Certificate, actor: User, reason: str, ip: str | None = None) -> None:
    """Withdraw a certificate, with the reason shown on verification."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Give a reason for revoking the certificate.")
    if cert.revoked_at is not None or cert.replaced_by_id is not None:
        raise CertificateError("This certificate has already been revoked or replaced.")
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason[:1000]
    cert.revoked_by_id = actor.id
    audit.record(
        "certificate_revoked",
        actor=actor,
        target=cert,
        ip=ip,
        agency_id=cert.agency_id,
        reason=reason,
    )


def reissue(cert: Certificate, actor: User, ip: str | None = None) -> Certificate:
    """Issue a replacement with the holder's current details (e.g. after a name change)."""
    if cert.replaced_by_id is not None:
        raise CertificateError("This certificate has already been replaced.")
    if cert.revoked_at is not None:
        raise CertificateError("A revoked certificate cannot be re-issued.")
    completion = db.session.get(CourseCompletion, cert.completion_id)
    sequence = db.session.scalar(
        select(func.max(Certificate.sequence)).where(Certificate.completion_id == completion.id)
    )
    fresh = _make(completion, cert.user, db.session.get(Course, cert.course_id), sequence + 1)
    cert.replaced_by_id = fresh.id
    cert.revoked_at = utcnow()
    cert.revoked_reason = "Replaced by a re-issued certificate."
    cert.revoked_by_id = actor.id
    audit.record(
        "certificate_reissued",
        actor=actor,
        target=cert,
        ip=ip,
        agency_id=cert.agency_id,
        new=fresh.id,
    )
    return fresh


def can_download(user: User, cert: Certificate) -> bool:
    """The holder, their agency's leads, board auditors and admins."""
    # Leads see their agency's current staff, wherever the person was when it was issued.
    return scope_of(user).covers(cert.user)


def for_user(user_id: int) -> list[Certificate]:
    """A person's certificates, newest first (the history included)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def current_by_course(user_id: int) -> dict[int, Certificate]:
    """A person's newest certificate for each course that is neither revoked nor replaced."""
    latest: dict[int, Certificate] = {}
    for cert in for_user(user_id):  # newest first
        if cert.replaced_by_id is None and cert.revoked_at is None:
            latest.setdefault(cert.course_id, cert)
    return latest


def current_for_agency(agency_id: int, now: dt.datetime | None = None) -> list[Certificate]:
    """Every unexpired, unrevoked certificate held by an agency's staff."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Certificate)
            .join(User, User.id == Certificate.user_id)
            .where(
                User.agency_id == agency_id,
                Certificate.revoked_at.is_(None),
                Certificate.replaced_by_id.is_(None),
                Certificate.expires_at > now,
            )
            .order_by(Certificate.holder_name, Certificate.course_title)
        )
    )


def without_pdf() -> list[Certificate]:
    """Certificates whose PDF has not been rendered yet."""
    return list(
        db.session.scalars(
            select(Certificate)
            .outerjoin(CertificatePdf, CertificatePdf.certificate_id == Certificate.id)
            .where(CertificatePdf.certificate_id.is_(None))
            .order_by(Certificate.id)
        )
    )


def stored_pdf(cert: Certificate) -> bytes | None:
    """The stored PDF bytes, if rendered already."""
    row = db.session.get(CertificatePdf, cert.id)
    return row.data if row is not None else None


def record_render_error(cert: Certificate, message: str) -> None:
    """Note why the PDF could not be drawn; the next download tries again."""
    cert.render_error = message[:1000]


def store_pdf(cert: Certificate, data: bytes) -> None:
    """Keep the rendered PDF."""
    if db.session.get(CertificatePdf, cert.id) is None:
        db.session.add(CertificatePdf(certificate_id=cert.id, data=data))
    cert.render_error = None
