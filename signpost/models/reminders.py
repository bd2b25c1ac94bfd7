"""The log that makes each reminder email go out once per rule and period."""

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from signpost.models.base import Base, utcnow


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
