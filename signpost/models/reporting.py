"""Reporting: one summary row per learner and course, kept up to date with what they do."""

import datetime as dt

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from signpost.models.base import Base, utcnow
from signpost.models.certificates import Certificate
from signpost.models.people import Role
from signpost.models.progress import CourseCompletion

# One bit per role, so "holds role X" is a test on the record itself, not a join.
ROLE_BITS = {
    Role.LEARNER: 1,
    Role.TRAINER: 2,
    Role.AGENCY_LEAD: 4,
    Role.AUDITOR: 8,
    Role.ADMIN: 16,
}
STATUS_COLUMNS = ("due_at", "completed_at", "expires_at", "started_at", "roles")


class CourseRecord(Base):
    """Where one learner stands in one course, as raw dates; statuses are derived from them.

    A row exists for every active (not deactivated, not erased) person who is assigned the
    course or has started or completed it: the population the board reports count.
    Maintained by signpost.reports.records in the same transaction as the change.
    """

    __tablename__ = "course_record"
    __table_args__ = (
        # Covering indexes: the dashboard's GROUP BY reads them without touching the table.
        Index("ix_course_record_agency_course", "agency_id", "course_id", *STATUS_COLUMNS),
        Index("ix_course_record_course_agency", "course_id", "agency_id", *STATUS_COLUMNS),
        Index("ix_course_record_team_course", "team_id", "course_id"),
        # On SQLite the rows are stored in primary-key order: joins by learner and course
        # (completions in a date range) then need one look-up, not two.
        {"sqlite_with_rowid": False},
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    roles: Mapped[int] = mapped_column(default=0)  # the person's roles, as ROLE_BITS summed
    assigned: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[dt.datetime | None]  # the assignment's due date, if assigned
    started_at: Mapped[dt.datetime | None]  # first module of the course started
    # The completion that counts: the latest one not withdrawn (certificate revoked).
    completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_completion.id", ondelete="SET NULL")
    )
    completed_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    # The certificate shown in drill-downs: the counting completion's current one, else
    # the newest the learner holds for the course (which may be revoked or expired).
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate.id", ondelete="SET NULL")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# Completions in a date range (the trend, "completed in date range"), read from the index.
Index(
    "ix_course_completion_completed_at",
    CourseCompletion.completed_at,
    CourseCompletion.user_id,
    CourseCompletion.course_id,
    CourseCompletion.id,
)
# Withdrawn completions (certificate revoked, not replaced): few, and looked up often.
_withdrawn = Certificate.revoked_at.is_not(None) & Certificate.replaced_by_id.is_(None)
Index(
    "ix_certificate_withdrawn",
    Certificate.completion_id,
    sqlite_where=_withdrawn,
    postgresql_where=_withdrawn,
)
