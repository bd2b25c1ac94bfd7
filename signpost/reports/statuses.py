"""The one status each learner has in each course, as SQL over course records.

These follow signpost.completion.course_status (the rules learners see on My learning),
with one addition boards asked for: a completion whose certificate was revoked does not
count. Change them together.
"""

import datetime as dt

from sqlalchemy import and_, case, exists, func, or_

from signpost.config import expiring_days
from signpost.models import Certificate, CourseCompletion, CourseRecord

# The primary statuses, in the order the dashboard shows them. Exactly one per learner-course.
STATUSES = ("completed", "expired", "overdue", "in_progress", "not_started")

STATUS_LABELS = {
    "population": "Learners",
    "completed": "Completed",
    "expiring": "Expiring soon",
    "expired": "Expired",
    "overdue": "Overdue",
    "in_progress": "In progress",
    "not_started": "Not started",
    "in_range": "Completed in date range",
}

# Plain-English definitions, shown on the dashboard and printed in the board report.
DEFINITIONS = {
    "population": (
        "Active people in the agency (not deactivated, not erased) who are assigned the "
        "course or have started or completed any part of it. Each person counts once per course."
    ),
    "completed": (
        "Holds a completion of the course that has not expired and whose certificate has not "
        "been revoked (a certificate replaced by a re-issue still counts). Includes those "
        "expiring soon."
    ),
    "expiring": (
        "Part of Completed: the completion expires within the next {window} days. "
        "It stays in Completed until the day it expires."
    ),
    "expired": (
        "Completed the course before, but that completion has expired, and the course is not "
        "overdue (no due date, or the due date has not passed)."
    ),
    "overdue": (
        "Assigned the course with a due date that has passed, and not currently completed "
        "(never completed, or the completion has expired or been revoked)."
    ),
    "in_progress": "Has started at least one module of the course, and none of the above.",
    "not_started": "Assigned the course but has not started it, and none of the above.",
    "rate": "Completed divided by Learners, as a percentage to one decimal place.",
    "in_range": (
        "People in the cell with at least one completion (first or renewal, not revoked) "
        "dated within the date range, whatever their status now."
    ),
}


def windows(now: dt.datetime) -> tuple:
    """`now` and the end of the expiring-soon window, passed to SQL as parameters."""
    return now, now + dt.timedelta(days=expiring_days())


def is_current(now: dt.datetime):
    """Completed, not yet expired (an expiry exactly at `now` has expired)."""
    r = CourseRecord
    return and_(r.completed_at.is_not(None), or_(r.expires_at.is_(None), r.expires_at > now))


def status_expression(now: dt.datetime, values: dict | None = None):
    """SQL CASE giving each record's primary status (or `values[status]`), as course_status does."""
    r = CourseRecord
    values = values or {name: name for name in STATUSES}
    return case(
        (is_current(now), values["completed"]),
        # A due date exactly at `now` is not yet overdue.
        (and_(r.due_at.is_not(None), r.due_at < now), values["overdue"]),
        (r.completed_at.is_not(None), values["expired"]),
        (r.started_at.is_not(None), values["in_progress"]),
        else_=values["not_started"],
    )


def status_condition(status: str, now: dt.datetime, soon: dt.datetime):
    """SQL condition for records in one status (or the expiring-soon sub-count)."""
    r = CourseRecord
    current = is_current(now)
    overdue = and_(r.due_at.is_not(None), r.due_at < now)
    if status == "completed":
        return current
    if status == "expiring":
        return and_(current, r.expires_at.is_not(None), r.expires_at <= soon)
    if status == "overdue":
        return and_(~current, overdue)
    if status == "expired":
        return and_(~current, ~overdue, r.completed_at.is_not(None))
    if status == "in_progress":
        return and_(r.completed_at.is_(None), ~overdue, r.started_at.is_not(None))
    if status == "not_started":
        return and_(r.completed_at.is_(None), ~overdue, r.started_at.is_(None))
    raise ValueError(f"unknown status {status!r}")


def withdrawn(completion=CourseCompletion):
    """A completion whose certificate was revoked (not replaced by a re-issue) no longer counts."""
    return exists().where(
        Certificate.completion_id == completion.id,
        Certificate.revoked_at.is_not(None),
        Certificate.replaced_by_id.is_(None),
    )


def completed_in_range(start: dt.datetime, end: dt.datetime):
    """SQL condition: the record's learner has a counting completion in [start, end)."""
    cc = CourseCompletion
    return exists().where(
        cc.user_id == CourseRecord.user_id,
        cc.course_id == CourseRecord.course_id,
        cc.completed_at >= start,
        cc.completed_at < end,
        ~withdrawn(cc),
    )


def count_where(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): a count within a GROUP BY."""
    return func.sum(case((condition, 1), else_=0))


# Sorting by status puts the ones needing action first.
STATUS_RANK = {"overdue": 0, "expired": 1, "not_started": 2, "in_progress": 3, "completed": 4}


def format_rate(completed: int, population: int) -> str:
    """The completion rate as shown on screen and in exports: one decimal place, or a dash."""
    if not population:
        return "–"
    return f"{100 * completed / population:.1f}%"
