"""Assignment rules, reminders, face-to-face training and completions recorded elsewhere."""

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow
from signpost.models.content import Course, Module
from signpost.models.people import Role, User, _enum


class AssignmentRule(Base):
    """Require a course of everyone in an agency, a team or a role, by a due date."""

    __tablename__ = "assignment_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    role: Mapped[Role | None] = mapped_column(_enum(Role, "rule_role"))
    # Either a number of days from when the person is assigned, or a fixed date.
    due_days: Mapped[int | None]
    due_date: Mapped[dt.date | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()


class ReminderLog(Base):
    """One reminder sent (or being sent): at most one per person, rule and period."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # due_soon | overdue | expiring | lead_summary
    subject: Mapped[str] = mapped_column(String(64))  # e.g. "course:3"
    period: Mapped[str] = mapped_column(String(32))  # e.g. "2026-11-21" or "2026-W47"
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class TrainingSession(Base):
    """A face-to-face session for a course or a module."""

    __tablename__ = "training_session"
    __table_args__ = (Index("ix_training_session_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # None: open to all
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(String(300))
    capacity: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[dt.datetime | None]

    course: Mapped[Course | None] = relationship()
    module: Mapped[Module | None] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class Booking(Base):
    """A learner's place on a session, and whether they attended."""

    __tablename__ = "booking"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    booked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attended: Mapped[bool | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    marked_at: Mapped[dt.datetime | None]

    session: Mapped[TrainingSession] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ExternalCompletion(Base):
    """Training completed outside Signpost, recorded with evidence; reported separately."""

    __tablename__ = "external_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id"))
    completed_on: Mapped[dt.date]
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_type: Mapped[str | None] = mapped_column(String(100))
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConfidenceRating(Base):
    """A learner's self-assessment before or after a course: one score per statement."""

    __tablename__ = "confidence_rating"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "round", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    phase: Mapped[str] = mapped_column(String(10))  # before | after
    scores: Mapped[str] = mapped_column(String(200))  # "4,3,5": 1-5 per statement, in order
    mean: Mapped[float]
    rated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
