"""Confidence self-assessment before and after a course: when it is open, checking, recording."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from signpost import completion, progress
from signpost.extensions import db
from signpost.models import ConfidenceRating, Course, CourseModule, ModuleProgress, User

BEFORE, AFTER = "before", "after"
PHASES = (BEFORE, AFTER)
SCALE = (
    (1, "1 – not at all confident"),
    (2, "2 – slightly confident"),
    (3, "3 – moderately confident"),
    (4, "4 – quite confident"),
    (5, "5 – very confident"),
)


def statements(course: Course) -> list[str]:
    """The course's confidence statements, in order (none: the course asks nothing)."""
    return [str(s).strip() for s in (course.confidence or []) if str(s).strip()]


def field_name(index: int) -> str:
    """The form field holding the answer to statement `index`."""
    return f"s{index}"


def _modules_done_since(user_id: int, course: Course, since) -> bool:
    query = (
        select(func.count())
        .select_from(ModuleProgress)
        .join(CourseModule, CourseModule.module_id == ModuleProgress.module_id)
        .where(
            CourseModule.course_id == course.id,
            ModuleProgress.user_id == user_id,
            ModuleProgress.completed_at.is_not(None),
        )
    )
    if since is not None:
        query = query.where(ModuleProgress.completed_at > since)
    return bool(db.session.scalar(query))


def open_round(user_id: int, course: Course, phase: str) -> int | None:
    """The round a rating of `phase` would belong to now, or None while it makes no sense.

    Before: the round the learner is about to take (the first, or a renewal once it is
    open), until they complete a module of it. After: the round they last completed.
    """
    last = completion.latest_completion(user_id, course.id)
    if phase == AFTER:
        return last.round if last else None
    if phase != BEFORE:
        return None
    if last is not None and not progress.renewal_open(course, last):
        return None
    if _modules_done_since(user_id, course, last.completed_at if last else None):
        return None
    return (last.round if last else 0) + 1


def rating(user_id: int, course_id: int, round_: int, phase: str) -> ConfidenceRating | None:
    """The rating already given for this round and phase, if any."""
    return db.session.scalar(
        select(ConfidenceRating).where(
            ConfidenceRating.user_id == user_id,
            ConfidenceRating.course_id == course_id,
            ConfidenceRating.round == round_,
            ConfidenceRating.phase == phase,
        )
    )


@dataclass(frozen=True)
class Offer:
    """A rating the learner could give now."""

    phase: str
    round: int

    @property
    def key(self) -> str:
        """Identifies the offer, e.g. to remember that the learner skipped it."""
        return f"{self.phase}:{self.round}"


def offer(user_id: int, course: Course) -> Offer | None:
    """The rating to suggest on the course page: before starting, or after completing."""
    if not statements(course):
        return None
    for phase in (BEFORE, AFTER):
        round_ = open_round(user_id, course, phase)
        if round_ is not None:
            if rating(user_id, course.id, round_, phase) is None:
                return Offer(phase, round_)
            return None
    return None


def parse_scores(course: Course, form: Mapping[str, str]) -> tuple[dict[int, int], list[int]]:
    """The 1-5 answer per statement index, and the indexes left unanswered or invalid."""
    scores, missing = {}, []
    for index, _ in enumerate(statements(course)):
        raw = (form.get(field_name(index)) or "").strip()
        if raw in ("1", "2", "3", "4", "5"):
            scores[index] = int(raw)
        else:
            missing.append(index)
    return scores, missing


def record(
    user: User, course: Course, phase: str, round_: int, scores: dict[int, int]
) -> tuple[ConfidenceRating, bool]:
    """Store a rating once; a second one for the same round and phase changes nothing."""
    count = len(statements(course))
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    if count == 0 or sorted(scores) != list(range(count)):
        raise ValueError("every statement needs a score")
    if any(not 1 <= s <= 5 for s in scores.values()):
        raise ValueError("scores run from 1 to 5")
    existing = rating(user.id, course.id, round_, phase)
    if existing is not None:
        return existing, False
    values = [scores[i] for i in range(count)]
    row = ConfidenceRating(
        user_id=user.id,
        course_id=course.id,
        round=round_,
        phase=phase,
        scores=",".join(str(v) for v in values),
        mean=round(sum(values) / count, 2),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # The same form sent twice at once (double click, two tabs): keep the first.
        return rating(user.id, course.id, round_, phase), False
    return row, True


def score_list(row: ConfidenceRating) -> list[int]:
    """A stored rating's scores, in statement order."""
    return [int(v) for v in row.scores.split(",") if v]


@dataclass(frozen=True)
class Outcome:
    """What became of a submitted rating form."""

    status: str  # recorded | already | closed | invalid
    missing: tuple[int, ...] = ()
    answers: Mapping[int, int] | None = None


def submit(user: User, course: Course, phase: str, form: Mapping[str, str]) -> Outcome:
    """Check and store a rating form; the caller commits."""
    round_ = open_round(user.id, course, phase)
    if round_ is None:
        return Outcome("closed")
    if rating(user.id, course.id, round_, phase) is not None:
        return Outcome("already")
    scores, missing = parse_scores(course, form)
    if missing:
        return Outcome("invalid", tuple(missing), scores)
    _, created = record(user, course, phase, round_, scores)
    return Outcome("recorded" if created else "already")
