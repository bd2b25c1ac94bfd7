"""Training effectiveness by agency: confidence before and after, quiz pass rates and scores."""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Float, and_, case, cast, exists, func, select
from sqlalchemy.orm import aliased

from signpost.extensions import db
from signpost.models import (
    Agency,
    ConfidenceRating,
    Course,
    CourseModule,
    ModuleVersion,
    Quiz,
    QuizAttempt,
    QuizSubmission,
    Role,
    User,
    UserRole,
)


@dataclass(frozen=True)
class ConfidenceRow:
    """Before-and-after pairs of one agency's learners (or everyone, when agency_id is None)."""

    agency_id: int | None
    agency: str
    pairs: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None


@dataclass(frozen=True)
class QuizRow:
    """Quiz results of one agency's learners (or everyone, when agency_id is None)."""

    agency_id: int | None
    agency: str
    submissions: int
    passed: int
    first_attempts: int
    first_passed: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        """Passed submissions as a percentage of all submissions."""
        return 100 * self.passed / self.submissions if self.submissions else None

    @property
    def first_attempt_pass_rate(self) -> float | None:
        """First attempts passed, as a percentage of first attempts submitted."""
        return 100 * self.first_passed / self.first_attempts if self.first_attempts else None


@dataclass(frozen=True)
class Effectiveness:
    """Everything the effectiveness section shows; `*_total` is everyone in scope."""

    confidence: list[ConfidenceRow] = field(default_factory=list)
    confidence_total: ConfidenceRow | None = None
    quizzes: list[QuizRow] = field(default_factory=list)
    quizzes_total: QuizRow | None = None


def _people(query, user, agency_id, team_id, role):
    """Narrow a query to the learners in scope (by their current agency, team and role)."""
    if agency_id is not None:
        query = query.where(user.agency_id == agency_id)
    if team_id is not None:
        query = query.where(user.team_id == team_id)
    if role is not None:
        query = query.where(
            exists().where(UserRole.user_id == user.id, UserRole.role == Role(role))
        )
    return query


def _between(column, date_from: dt.date | None, date_to: dt.date | None) -> list:
    conditions = []
    if date_from is not None:
        conditions.append(column >= dt.datetime.combine(date_from, dt.time()))
    if date_to is not None:
        conditions.append(column < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    return conditions


def _float(value) -> float | None:
    return None if value is None else float(value)


def confidence_by_agency(
    *, course_id=None, level=None, date_from=None, date_to=None, **people
) -> tuple[list[ConfidenceRow], ConfidenceRow]:
    """Pairs of before and after ratings (same learner, course and round), by agency.

    A pair is dated by its after rating, when the change became known.
    """
    before, after = aliased(ConfidenceRating), aliased(ConfidenceRating)
    measures = (
        func.count(),
        func.avg(before.mean),
        func.avg(after.mean),
        func.avg(after.mean - before.mean),
    )
    base = (
        select(*measures)
        .select_from(after)
        .join(
            before,
            and_(
                before.user_id == after.user_id,
                before.course_id == after.course_id,
                before.round == after.round,
                before.phase == "before",
            ),
        )
        .join(User, User.id == after.user_id)
        .where(after.phase == "after", *_between(after.rated_at, date_from, date_to))
    )
    if course_id is not None:
        base = base.where(after.course_id == course_id)
    if level is not None:
        base = base.where(after.course_id.in_(select(Course.id).where(Course.level == level)))
    base = _people(base, User, **people)
    by_agency = (
        base.add_columns(Agency.id, Agency.name)
        .join(Agency, Agency.id == User.agency_id)
        .group_by(Agency.id, Agency.name)
        .order_by(Agency.name)
    )
    rows = [
        ConfidenceRow(agency_id, name, n, _float(b), _float(a), _float(c))
        for n, b, a, c, agency_id, name in db.session.execute(by_agency)
    ]
    n, b, a, c = db.session.execute(base).one()
    return rows, ConfidenceRow(None, "All agencies", n, _float(b), _float(a), _float(c))


def quizzes_by_agency(
    *, course_id=None, level=None, date_from=None, date_to=None, **people
) -> tuple[list[QuizRow], QuizRow]:
    """Quiz submissions, passes, first-attempt passes and average score, by agency."""
    first = QuizAttempt.number == 1
    measures = (
        func.count(QuizSubmission.id),
        func.coalesce(func.sum(case((QuizSubmission.passed, 1), else_=0)), 0),
        func.coalesce(func.sum(case((first, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(first, QuizSubmission.passed), 1), else_=0)), 0),
        func.avg(cast(QuizSubmission.score, Float)),
    )
    base = (
        select(*measures)
        .select_from(QuizSubmission)
        .join(QuizAttempt, QuizAttempt.id == QuizSubmission.attempt_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(*_between(QuizSubmission.submitted_at, date_from, date_to))
    )
    if course_id is not None or level is not None:
        # Quizzes of the module versions that belong to the course(s) asked for.
        in_courses = (
            select(Quiz.id)
            .join(ModuleVersion, ModuleVersion.id == Quiz.version_id)
            .join(CourseModule, CourseModule.module_id == ModuleVersion.module_id)
            .join(Course, Course.id == CourseModule.course_id)
        )
        if course_id is not None:
            in_courses = in_courses.where(Course.id == course_id)
        if level is not None:
            in_courses = in_courses.where(Course.level == level)
        base = base.where(QuizAttempt.quiz_id.in_(in_courses))
    base = _people(base, User, **people)
    by_agency = (
        base.add_columns(Agency.id, Agency.name)
        .join(Agency, Agency.id == User.agency_id)
        .group_by(Agency.id, Agency.name)
        .order_by(Agency.name)
    )
    rows = [
        QuizRow(agency_id, name, n, int(p), int(f), int(fp), _float(avg))
        for n, p, f, fp, avg, agency_id, name in db.session.execute(by_agency)
    ]
    n, p, f, fp, avg = db.session.execute(base).one()
    return rows, QuizRow(None, "All agencies", n, int(p), int(f), int(fp), _float(avg))


def summary(
    *,
    course_id: int | None = None,
    agency_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    team_id: int | None = None,
    level: int | None = None,
    role: Role | str | None = None,
    scope_agency_id: int | None = None,
) -> Effectiveness:
    """Confidence change and quiz results by agency for these filters, within the scope.

    `scope_agency_id` (an agency lead's own agency) always wins over `agency_id`: a lead
    asking for another agency sees nothing rather than someone else's figures.
    """
    if scope_agency_id is not None and agency_id not in (None, scope_agency_id):
        return Effectiveness()
    filters = {
        "course_id": course_id,
        "level": level,
        "date_from": date_from,
        "date_to": date_to,
        "agency_id": scope_agency_id if scope_agency_id is not None else agency_id,
        "team_id": team_id,
        "role": role,
    }
    confidence, confidence_total = confidence_by_agency(**filters)
    quizzes, quizzes_total = quizzes_by_agency(**filters)
    return Effectiveness(confidence, confidence_total, quizzes, quizzes_total)
