"""How confident learners say they feel, before and after a course."""

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from signpost.models.base import Base, utcnow


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
