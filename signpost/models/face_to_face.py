"""Face-to-face training sessions and the places booked on them."""

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow
from signpost.models.content import Course, Module
from signpost.models.people import User


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
