"""Courses, modules and their immutable versions: lessons, quizzes, scenarios."""

import datetime as dt

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow


class Course(Base):
    """A course: an ordered list of modules, with certificate rules."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int]
    validity_months: Mapped[int]
    cpd_hours: Mapped[float]
    confidence: Mapped[list] = mapped_column(JSON, default=list)
    body_html: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    module_links: Mapped[list["CourseModule"]] = relationship(
        order_by="CourseModule.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def modules(self) -> list["Module"]:
        """The course's modules, in order."""
        return [link.module for link in self.module_links]


class Module(Base):
    """A module's stable identity; its content lives in versions."""

    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    versions: Mapped[list["ModuleVersion"]] = relationship(
        back_populates="module", order_by="ModuleVersion.number"
    )


class CourseModule(Base):
    """A module's place in a course."""

    __tablename__ = "course_module"
    __table_args__ = (UniqueConstraint("course_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    position: Mapped[int]

    module: Mapped[Module] = relationship(lazy="joined")


class ModuleVersion(Base):
    """One published state of a module. Never changed once learners may have used it."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    number: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    level: Mapped[int]
    audience: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int]
    outcomes: Mapped[list] = mapped_column(JSON)
    review_by: Mapped[dt.date | None]
    content_note_html: Mapped[str | None] = mapped_column(Text)
    references: Mapped[list] = mapped_column(JSON)
    completion: Mapped[dict] = mapped_column(JSON)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    module: Mapped[Module] = relationship(back_populates="versions")
    lessons: Mapped[list["Lesson"]] = relationship(
        order_by="Lesson.position", cascade="all, delete-orphan"
    )
    quiz: Mapped["Quiz | None"] = relationship(cascade="all, delete-orphan")
    scenarios: Mapped[list["Scenario"]] = relationship(
        order_by="Scenario.position", cascade="all, delete-orphan"
    )


class Lesson(Base):
    """A lesson page, rendered once at import."""

    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("module_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)


class Quiz(Base):
    """A module version's quiz and its retake rules."""

    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("module_version.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(300))
    pass_mark: Mapped[int]
    draw: Mapped[int]
    attempts_allowed: Mapped[int]  # 0: no limit
    wait_minutes: Mapped[int]
    # wait_minutes applies once this many attempts in a row have failed; 0: after every one.
    wait_after_failures: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int]

    questions: Mapped[list["Question"]] = relationship(
        order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    """One question in a quiz's pool."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    stem_html: Mapped[str] = mapped_column(Text)
    explanation_html: Mapped[str] = mapped_column(Text)
    # The slug of the lesson that covers it, offered for re-reading after a failed attempt.
    lesson_slug: Mapped[str | None] = mapped_column(String(100))

    options: Mapped[list["Option"]] = relationship(
        order_by="Option.position", cascade="all, delete-orphan"
    )


class Option(Base):
    """An answer option, with the feedback a learner who picks it sees."""

    __tablename__ = "question_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text_html: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool]
    feedback_html: Mapped[str] = mapped_column(Text, default="")


class Scenario(Base):
    """A branching case study within a module version."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("module_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(200))
    start_key: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[int]
    recommended_path: Mapped[list] = mapped_column(JSON)

    nodes: Mapped[list["ScenarioNode"]] = relationship(
        order_by="ScenarioNode.position", cascade="all, delete-orphan"
    )


class ScenarioNode(Base):
    """A decision point or an ending."""

    __tablename__ = "scenario_node"
    __table_args__ = (UniqueConstraint("scenario_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(100))
    ending: Mapped[bool]
    outcome: Mapped[str | None] = mapped_column(String(20))
    narrative_html: Mapped[str] = mapped_column(Text)
    debrief_html: Mapped[str] = mapped_column(Text, default="")

    choices: Mapped[list["ScenarioChoice"]] = relationship(
        order_by="ScenarioChoice.position", cascade="all, delete-orphan"
    )


class ScenarioChoice(Base):
    """A choice offered at a node, leading to another node."""

    __tablename__ = "scenario_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_node.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    rating: Mapped[str] = mapped_column(String(20))
    text_html: Mapped[str] = mapped_column(Text)
    target_key: Mapped[str] = mapped_column(String(100))
    feedback_html: Mapped[str] = mapped_column(Text, default="")


class ContentAsset(Base):
    """An image used by a module version, kept in the database so every server has it."""

    __tablename__ = "content_asset"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("module_version.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
