"""Training completed outside Signpost, with its evidence."""

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from signpost.models.base import Base, utcnow


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
    # Counts only once a second person approves: "pending", "approved" or "rejected".
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # Set on approval only; who rejected a record is in the audit log.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)  # the reason, when rejected
