"""What each learner has done: assignments, module progress, lessons, quizzes, scenarios."""

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow
from signpost.models.content import Course, Module, ModuleVersion, Quiz, Scenario


class ModuleProgress(Base):
    """One learner's pass through one version of a module; `round` counts renewals."""

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id", "round"),
        Index("ix_module_progress_user_module", "user_id", "module_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]
    # online | face_to_face | external: how the module was completed, reported separately
    via: Mapped[str] = mapped_column(String(20), default="online")

    module: Mapped[Module] = relationship()
    version: Mapped[ModuleVersion] = relationship()


class LessonCompletion(Base):
    """A lesson read to its end."""

    __tablename__ = "lesson_completion"
    __table_args__ = (UniqueConstraint("progress_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("module_progress.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"))
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class QuizAttempt(Base):
    """An attempt at a quiz: the questions drawn and their option order, fixed when started."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("progress_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(
        ForeignKey("module_progress.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    number: Mapped[int]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # [{"question": id, "options": [id, ...]}, ...] in the order shown
    layout: Mapped[list] = mapped_column(JSON)
    # The idempotency key rendered into the attempt's form.
    key: Mapped[str] = mapped_column(String(64), unique=True)

    quiz: Mapped[Quiz] = relationship()
    progress: Mapped[ModuleProgress] = relationship()
    submission: Mapped["QuizSubmission | None"] = relationship(
        back_populates="attempt", uselist=False
    )


class QuizSubmission(Base):
    """The graded answers to an attempt. At most one per attempt, enforced by the database."""

    __tablename__ = "quiz_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="CASCADE"), unique=True
    )
    key: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    correct: Mapped[int]
    total: Mapped[int]
    score: Mapped[int]  # percent
    passed: Mapped[bool]
    # {question id: [chosen option ids]}
    answers: Mapped[dict] = mapped_column(JSON)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="submission")


class ScenarioRun(Base):
    """One play-through of a scenario."""

    __tablename__ = "scenario_run"
    __table_args__ = (UniqueConstraint("progress_id", "scenario_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(
        ForeignKey("module_progress.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    number: Mapped[int]
    current_key: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    # {node key: [choice ids]}: the order the choices are shown in, shuffled when the run
    # starts so the first option is not always the recommended one. NULL: content order.
    choice_order: Mapped[dict | None] = mapped_column(JSON)

    scenario: Mapped[Scenario] = relationship()
    progress: Mapped[ModuleProgress] = relationship()
    steps: Mapped[list["ScenarioStep"]] = relationship(
        order_by="ScenarioStep.position", cascade="all, delete-orphan", lazy="selectin"
    )


class ScenarioStep(Base):
    """A decision taken in a run, with when it was taken."""

    __tablename__ = "scenario_step"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scenario_run.id", ondelete="CASCADE"))
    position: Mapped[int]
    node_key: Mapped[str] = mapped_column(String(100))
    choice_id: Mapped[int] = mapped_column(ForeignKey("scenario_choice.id"))
    rating: Mapped[str] = mapped_column(String(20))
    target_key: Mapped[str] = mapped_column(String(100))
    chosen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CourseCompletion(Base):
    """A learner completing a course; `round` counts renewals."""

    __tablename__ = "course_completion"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    round: Mapped[int]
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # [{"module": slug, "version": number, "label": trainer's label, "title": title}]
    module_versions: Mapped[list] = mapped_column(JSON)
    via: Mapped[str] = mapped_column(String(20), default="online")

    course: Mapped[Course] = relationship()
