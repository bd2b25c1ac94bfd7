"""What a report is narrowed to: agency, team, course, level, role and a date range."""

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select

from signpost.extensions import db
from signpost.models import ROLE_LABELS, Agency, Course, CourseRecord, Role, Team
from signpost.models.reporting import ROLE_BITS

MAX_RANGE_MONTHS = 60  # the trend has one bar per month; five years stays readable


@dataclass(frozen=True)
class Filters:
    """The filters a person chose; None means no filter. Dates are inclusive days."""

    agency_id: int | None = None
    team_id: int | None = None
    course_id: int | None = None
    level: int | None = None
    role: Role | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def with_range(self, today: dt.date) -> "Filters":
        """These filters with the date range filled in: by default the last 12 months."""
        date_to = self.date_to or today
        date_from = self.date_from or first_of_month(date_to, back=11)
        return replace(self, date_from=date_from, date_to=date_to)

    def params(self) -> dict:
        """The filters as URL query parameters (the same names the filter form uses)."""
        values = {
            "agency": self.agency_id,
            "team": self.team_id,
            "course": self.course_id,
            "level": self.level,
            "role": self.role.value if self.role else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def first_of_month(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month from `start`'s month to `end`'s, inclusive."""
    months = []
    month = first_of_month(start)
    while month <= end:
        months.append(month)
        month = first_of_month(dt.date(month.year, month.month, 28) + dt.timedelta(days=7))
    return months


def range_bounds(filters: Filters) -> tuple[dt.datetime, dt.datetime]:
    """The date range as datetimes: from the start of the first day to the end of the last."""
    start = dt.datetime.combine(filters.date_from, dt.time())
    end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time())
    return start, end


def record_conditions(filters: Filters, scope_agency_id: int | None) -> list:
    """SQL conditions on course records for the filters, always within the viewer's scope."""
    r = CourseRecord
    conditions = []
    if scope_agency_id is not None:
        conditions.append(r.agency_id == scope_agency_id)
    if filters.agency_id is not None:
        conditions.append(r.agency_id == filters.agency_id)
    if filters.team_id is not None:
        conditions.append(r.team_id == filters.team_id)
    if filters.course_id is not None:
        conditions.append(r.course_id == filters.course_id)
    if filters.level is not None:
        conditions.append(r.course_id.in_(select(Course.id).where(Course.level == filters.level)))
    if filters.role is not None:
        conditions.append(r.roles.op("&")(ROLE_BITS[filters.role]) != 0)
    return conditions


def describe(filters: Filters, scope_agency_id: int | None) -> list[tuple[str, str]]:
    """The filters in words, for the page, the CSV and the board report."""
    agency_id = filters.agency_id or scope_agency_id
    agency = db.session.get(Agency, agency_id) if agency_id else None
    team = db.session.get(Team, filters.team_id) if filters.team_id else None
    course = db.session.get(Course, filters.course_id) if filters.course_id else None
    lines = [
        ("Agency", agency.name if agency else "All agencies"),
        ("Team", team.name if team else "All teams"),
        ("Course", course.title if course else "All courses"),
        ("Level", f"Level {filters.level}" if filters.level is not None else "All levels"),
        ("Role", ROLE_LABELS[filters.role] if filters.role else "All roles"),
    ]
    if filters.date_from and filters.date_to:
        lines.append(
            ("Date range", f"{long_date(filters.date_from)} to {long_date(filters.date_to)}")
        )
    return lines


def long_date(day: dt.date) -> str:
    """A date as people write it: 5 March 2026."""
    return f"{day.day} {day.strftime('%B %Y')}"
