"""What content files say, as plain data, before it goes into the database."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Reference:
    """A source a module draws on."""

    title: str
    publisher: str | None = None
    year: str | None = None
    url: str | None = None


@dataclass
class LessonSource:
    """One lesson page."""

    path: Path
    slug: str
    title: str
    minutes: int
    body: str
    body_line: int


@dataclass
class OptionSource:
    """One answer option."""

    line: int
    text: str
    correct: bool
    feedback: str = ""
    feedback_line: int = 0  # where the feedback starts (for problems in it)


@dataclass
class QuestionSource:
    """One question in a quiz's pool."""

    line: int
    key: str
    kind: str  # single | multiple | true-false
    stem: str = ""
    options: list[OptionSource] = field(default_factory=list)
    explanation: str = ""
    stem_line: int = 0  # where the question text starts
    explanation_line: int = 0  # where the explanation starts
    lesson: str | None = None  # the lesson file stem that covers it, e.g. "02-warning-signs"
    lesson_line: int = 0  # where the `lesson:` setting is


@dataclass
class QuizSource:
    """A module's quiz."""

    path: Path
    title: str
    pass_mark: int
    draw: int
    attempts: int
    wait_minutes: int
    minutes: int
    questions: list[QuestionSource] = field(default_factory=list)
    # wait_minutes applies once this many attempts in a row have failed; 0: after every one.
    wait_after_failures: int = 0
    title_line: int = 1


@dataclass
class ChoiceSource:
    """A decision a learner can take at a scenario node."""

    line: int
    rating: str  # recommended | acceptable | unsafe
    text: str
    target: str
    feedback: str = ""
    feedback_line: int = 0  # where the feedback starts


@dataclass
class NodeSource:
    """A point in a scenario: a decision, or an ending."""

    line: int
    key: str
    ending: bool
    narrative: str = ""
    outcome: str | None = None
    debrief: str = ""
    choices: list[ChoiceSource] = field(default_factory=list)
    narrative_line: int = 0  # where the narrative starts
    debrief_line: int = 0  # where the debrief starts


@dataclass
class ScenarioSource:
    """A branching case study."""

    path: Path
    slug: str
    title: str
    summary: str
    role: str | None
    start: str
    minutes: int
    nodes: list[NodeSource] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # front matter field -> its line

    def node(self, key: str) -> NodeSource | None:
        """The node with this id."""
        return next((n for n in self.nodes if n.key == key), None)


@dataclass
class ModuleSource:
    """A module folder."""

    path: Path  # the folder
    slug: str
    title: str
    summary: str
    level: int
    audience: str
    minutes: int
    outcomes: list[str]
    label: str
    review_by: dt.date | None
    content_note: str | None
    references: list[Reference]
    completion: dict
    intro: str
    checksum: str
    intro_line: int = 1
    lines: dict[str, int] = field(default_factory=dict)  # front matter field -> its text's line
    lessons: list[LessonSource] = field(default_factory=list)
    quiz: QuizSource | None = None
    scenarios: list[ScenarioSource] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes


@dataclass
class CourseSource:
    """A course file."""

    path: Path
    slug: str
    title: str
    summary: str
    level: int
    modules: list[str]
    modules_line: int
    validity_months: int
    cpd_hours: float
    confidence: list[str]
    body: str
    body_line: int = 1  # where the body starts
    lines: dict[str, int] = field(default_factory=dict)  # front matter field -> its line


@dataclass
class ContentTree:
    """Everything read from a content folder."""

    root: Path
    courses: list[CourseSource] = field(default_factory=list)
    modules: list[ModuleSource] = field(default_factory=list)
