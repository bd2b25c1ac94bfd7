"""Assignment rules and the courses they require of each person."""

import datetime as dt

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow
from signpost.models.content import Course
from signpost.models.people import Role, _enum


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


class Assignment(Base):
    """A course a learner is required to complete, and by when."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[dt.datetime | None]
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment_rule.id", ondelete="SET NULL")
    )

    course: Mapped[Course] = relationship()
