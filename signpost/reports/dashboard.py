"""The board dashboard: learners' statuses by agency and course, and completions by month.

Every figure is an aggregate computed in SQL over course_record (one row per learner and
course); Python only arranges the few dozen resulting rows. Statuses are as at `now`. The
date range applies only to "completed in date range" and to the monthly trend.
"""

import datetime as dt
from dataclasses import dataclass, field, fields

from sqlalchemy import String, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from signpost.config import expiring_days
from signpost.extensions import db
from signpost.models import Agency, Course, CourseCompletion, CourseRecord, utcnow
from signpost.reports.filters import Filters, months_between, range_bounds, record_conditions
from signpost.reports.statuses import count_where, format_rate, status_condition, windows, withdrawn

COUNTS = ("population", "completed", "expiring", "expired", "overdue", "in_progress", "not_started")


@dataclass
class Counts:
    """The figures for one agency and course, or a total of several."""

    population: int = 0
    completed: int = 0
    expiring: int = 0
    expired: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0
    in_range: int = 0

    @property
    def rate(self) -> str:
        """Completion rate, formatted once for the page and the exports alike."""
        return format_rate(self.completed, self.population)

    @property
    def rate_value(self) -> float:
        """Completion rate as a fraction, for drawing."""
        return self.completed / self.population if self.population else 0.0

    def add(self, other: "Counts") -> None:
        """Add another cell's figures to these."""
        for f in fields(Counts):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Cell(Counts):
    """One agency and course."""

    agency_id: int | None = None
    agency: str = ""
    course_id: int | None = None
    course: str = ""
    level: int | None = None


@dataclass
class Dashboard:
    """Everything the dashboard, its CSV and the board report show."""

    filters: Filters
    now: dt.datetime
    window_days: int
    cells: list[Cell]
    agencies: list[Cell]  # all courses together, per agency
    total: Cell
    trend: list[tuple[dt.date, int]] = field(default_factory=list)

    @property
    def trend_total(self) -> int:
        """Completions over the whole date range."""
        return sum(count for _, count in self.trend)


class year_month(FunctionElement):  # noqa: N801 - named like the SQL functions it stands for
    """The "YYYY-MM" of a timestamp, in each database's own dialect."""

    type = String()
    inherit_cache = True


@compiles(year_month)
def _year_month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    # Timestamps are stored as "YYYY-MM-DD HH:MM:SS.ffffff" text: the month is its start.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


def _status_counts(conditions: list, now: dt.datetime, soon: dt.datetime):
    r = CourseRecord
    return (
        select(
            r.agency_id,
            r.course_id,
            func.count().label("population"),
            *[count_where(status_condition(name, now, soon)).label(name) for name in COUNTS[1:]],
        )
        .where(*conditions)
        .group_by(r.agency_id, r.course_id)
    )


def _completions(conditions: list, start: dt.datetime, end: dt.datetime):
    """Counting completions in the range by learners in the filtered population."""
    r, cc = CourseRecord, CourseCompletion
    return (
        select(cc.id)
        .join(r, and_(r.user_id == cc.user_id, r.course_id == cc.course_id))
        .where(cc.completed_at >= start, cc.completed_at < end, ~withdrawn(cc), *conditions)
    )


def build(
    filters: Filters,
    scope_agency_id: int | None,
    now: dt.datetime | None = None,
) -> Dashboard:
    """The dashboard for these filters, within the viewer's scope (None: every agency)."""
    now = now or utcnow()
    filters = filters.with_range(now.date())
    _, soon = windows(now)
    conditions = record_conditions(filters, scope_agency_id)
    start, end = range_bounds(filters)
    cells = _cells(conditions, start, end, now, soon)
    by_agency: dict[int, Cell] = {}
    total = Cell(agency="All agencies in view", course="All courses")
    for cell in cells:
        agency = by_agency.setdefault(
            cell.agency_id, Cell(agency_id=cell.agency_id, agency=cell.agency, course="All courses")
        )
        agency.add(cell)
        total.add(cell)
    return Dashboard(
        filters=filters,
        now=now,
        window_days=expiring_days(),
        cells=cells,
        agencies=list(by_agency.values()),
        total=total,
        trend=_trend(conditions, start, end, filters),
    )


def _cells(conditions, start, end, now, soon) -> list[Cell]:
    """One cell per agency and course in view, sorted by agency, level and course."""
    r, cc = CourseRecord, CourseCompletion
    agencies = dict(db.session.execute(select(Agency.id, Agency.name)).all())
    courses = {c.id: c for c in db.session.execute(select(Course.id, Course.title, Course.level))}
    in_range = dict(
        ((a, c), n)
        for a, c, n in db.session.execute(
            _completions(conditions, start, end)
            .with_only_columns(r.agency_id, r.course_id, func.count(func.distinct(cc.user_id)))
            .group_by(r.agency_id, r.course_id)
        )
    )
    cells = []
    for row in db.session.execute(_status_counts(conditions, now, soon)).mappings():
        course = courses[row["course_id"]]
        cells.append(
            Cell(
                **{name: int(row[name] or 0) for name in COUNTS},
                in_range=in_range.get((row["agency_id"], row["course_id"]), 0),
                agency_id=row["agency_id"],
                agency=agencies[row["agency_id"]],
                course_id=course.id,
                course=course.title,
                level=course.level,
            )
        )
    cells.sort(key=lambda c: (c.agency.lower(), c.level, c.course.lower(), c.course_id))
    return cells


def _trend(conditions, start, end, filters: Filters) -> list[tuple[dt.date, int]]:
    """Completions per month across the date range, every month shown."""
    month = year_month(CourseCompletion.completed_at)
    per_month = dict(
        db.session.execute(
            _completions(conditions, start, end)
            .with_only_columns(month, func.count())
            .group_by(month)
        ).all()
    )
    return [
        (first, per_month.get(first.strftime("%Y-%m"), 0))
        for first in months_between(filters.date_from, filters.date_to)
    ]
