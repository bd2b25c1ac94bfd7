"""Certificates and their stored PDFs."""

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow
from signpost.models.people import User
from signpost.models.progress import CourseCompletion


class Certificate(Base):
    """A record that a person completed a course; what it says is fixed when issued."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("completion_id", "sequence"),
        Index("ix_certificate_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("course_completion.id"))
    sequence: Mapped[int] = mapped_column(default=1)  # 2+ for re-issues of one completion
    holder_name: Mapped[str] = mapped_column(String(200))
    agency_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    course_title: Mapped[str] = mapped_column(String(300))
    course_level: Mapped[int]
    cpd_hours: Mapped[float]
    completed_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    module_versions: Mapped[list] = mapped_column(JSON)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    render_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    completion: Mapped[CourseCompletion] = relationship()


class CertificatePdf(Base):
    """The rendered PDF, stored once so every app server serves the same bytes."""

    __tablename__ = "certificate_pdf"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
