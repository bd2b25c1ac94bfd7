"""The learners behind one figure on the dashboard: one agency, one course, one status."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import func, select

from signpost import certificates
from signpost.extensions import db
from signpost.models import Certificate, CourseRecord, Team, User, utcnow
from signpost.pagination import Pagination, paginate
from signpost.reports.filters import Filters, range_bounds, record_conditions
from signpost.reports.statuses import (
    STATUS_LABELS,
    STATUS_RANK,
    completed_in_range,
    status_condition,
    status_expression,
    windows,
)

PER_PAGE = 50
# What a dashboard figure can open: everyone in the cell, one status, or the range column.
CELL_STATUSES = (
    "population", "completed", "expiring", "expired", "overdue", "in_progress", "not_started",
    "in_range",
)  # fmt: skip
SORTS = ("name", "status", "due", "completed")


@dataclass
class Learner:
    """One learner in the list."""

    user_id: int
    name: str
    email: str
    team: str
    status: str
    expiring: bool
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    expires_at: dt.datetime | None
    certificate_code: str | None
    certificate_status: str | None

    @property
    def status_label(self) -> str:
        """The primary status in words, noting an expiry within the window."""
        label = STATUS_LABELS[self.status]
        return f"{label} (expiring soon)" if self.expiring else label

    @property
    def certificate_label(self) -> str:
        """The certificate's code and state, or a dash."""
        if not self.certificate_code:
            return "–"
        state = certificates.STATUS_LABELS[self.certificate_status]
        return f"{certificates.display_code(self.certificate_code)} ({state})"


def _query(filters, scope_agency_id, agency_id, course_id, status, now):
    r, c = CourseRecord, Certificate
    _, soon = windows(now)
    if status == "in_range":
        condition = completed_in_range(*range_bounds(filters.with_range(now.date())))
    elif status == "population":
        condition = r.user_id.is_not(None)
    else:
        condition = status_condition(status, now, soon)
    return (
        select(
            r.user_id,
            User.name,
            User.email,
            func.coalesce(Team.name, "").label("team"),
            status_expression(now).label("status"),
            status_condition("expiring", now, soon).label("expiring"),
            r.due_at,
            r.completed_at,
            r.expires_at,
            c.code,
            c.expires_at.label("cert_expires_at"),
            c.revoked_at,
            c.replaced_by_id,
        )  # fmt: skip
        .join(User, User.id == r.user_id)
        .outerjoin(Team, Team.id == r.team_id)
        .outerjoin(c, c.id == r.certificate_id)
        .where(
            r.agency_id == agency_id,
            r.course_id == course_id,
            condition,
            *record_conditions(filters, scope_agency_id),
        )
    )


def _order(sort: str, descending: bool, now: dt.datetime) -> list:
    r = CourseRecord
    column = {
        "name": func.lower(User.name),
        "status": status_expression(now, STATUS_RANK),
        "due": r.due_at,
        "completed": r.completed_at,
    }[sort]
    keys = [column.is_(None)] if sort in ("due", "completed") else []  # blanks last, both ways
    keys.append(column.desc() if descending else column.asc())
    return [*keys, func.lower(User.name), User.id]


def _learner(row, now: dt.datetime) -> Learner:
    state = None
    if row.code:
        cert = SimpleNamespace(
            replaced_by_id=row.replaced_by_id,
            revoked_at=row.revoked_at,
            expires_at=row.cert_expires_at,
        )
        state = certificates.status(cert, now)
    return Learner(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        team=row.team,
        status=row.status,
        expiring=bool(row.expiring),
        due_at=row.due_at,
        completed_at=row.completed_at,
        expires_at=row.expires_at,
        certificate_code=row.code,
        certificate_status=state,
    )


def _cell_query(filters, scope_agency_id, agency_id, course_id, status, sort, descending, now):
    query = _query(filters, scope_agency_id, agency_id, course_id, status, now)
    return query.order_by(*_order(sort, descending, now))


def learners_page(
    filters: Filters,
    scope_agency_id: int | None,
    agency_id: int,
    course_id: int,
    status: str,
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    now: dt.datetime | None = None,
) -> Pagination:
    """One page of the learners behind a dashboard figure; items are Learner rows."""
    now = now or utcnow()
    query = _cell_query(
        filters, scope_agency_id, agency_id, course_id, status, sort, descending, now
    )
    found = paginate(query, page, PER_PAGE, rows=True)
    found.items = [_learner(row, now) for row in found.items]
    return found


def all_learners(
    filters: Filters,
    scope_agency_id: int | None,
    agency_id: int,
    course_id: int,
    status: str,
    *,
    sort: str = "name",
    descending: bool = False,
    now: dt.datetime | None = None,
) -> list[Learner]:
    """Every learner behind a dashboard figure (for the CSV)."""
    now = now or utcnow()
    query = _cell_query(
        filters, scope_agency_id, agency_id, course_id, status, sort, descending, now
    )
    return [_learner(row, now) for row in db.session.execute(query)]
