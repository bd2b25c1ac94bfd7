"""Where the people an assignment rule covers stand: statuses, coverage and counts."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from signpost.assigning import BATCH, criteria
from signpost.assignments import DONE
from signpost.completion import add_months, course_status
from signpost.config import expiring_days
from signpost.extensions import db
from signpost.models import (
    Assignment,
    AssignmentRule,
    Course,
    CourseCompletion,
    ModuleProgress,
    User,
)


def statuses(
    course: Course,
    due_by_user: dict[int, dt.datetime | None],
    now: dt.datetime,
) -> dict[int, str]:
    """Each person's course status (as on My learning), in a few grouped queries."""
    module_ids = [link.module_id for link in course.module_links]
    ids, result = list(due_by_user), {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        done = dict(
            db.session.execute(
                select(CourseCompletion.user_id, func.max(CourseCompletion.completed_at))
                .where(CourseCompletion.course_id == course.id, CourseCompletion.user_id.in_(chunk))
                .group_by(CourseCompletion.user_id)
            ).all()
        )
        began = dict(
            db.session.execute(
                select(ModuleProgress.user_id, func.max(ModuleProgress.started_at))
                .where(ModuleProgress.module_id.in_(module_ids), ModuleProgress.user_id.in_(chunk))
                .group_by(ModuleProgress.user_id)
            ).all()
        )
        for uid in chunk:
            completed_at = done.get(uid)
            # A pass begun after the last completion is a renewal under way.
            started = uid in began and (completed_at is None or began[uid] > completed_at)
            expires = add_months(completed_at, course.validity_months) if completed_at else None
            result[uid] = course_status(
                now,
                started=started,
                completed_at=completed_at,
                expires_at=expires,
                due_at=due_by_user[uid],
                expiring_days=expiring_days(),
            )
    return result


@dataclass(frozen=True)
class Covered:
    """A person a rule requires the course of, and where they stand."""

    user: User
    assignment: Assignment
    status: str


def covered(
    rule: AssignmentRule,
    now: dt.datetime,
    agency_id: int | None = None,
) -> list[Covered]:
    """Active people who match the rule and hold its course, by name (one agency if given)."""
    query = (
        select(User, Assignment)
        .join(
            Assignment, and_(Assignment.user_id == User.id, Assignment.course_id == rule.course_id)
        )
        .where(*criteria(rule))
        .order_by(User.name, User.id)
    )
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    rows = db.session.execute(query).all()
    found = statuses(rule.course, {u.id: a.due_at for u, a in rows}, now)
    return [Covered(u, a, found[u.id]) for u, a in rows]


def counts(
    rule: AssignmentRule,
    now: dt.datetime,
    agency_id: int | None = None,
) -> tuple[int, int]:
    """How many people the rule covers, and how many of them hold a current completion."""
    query = (
        select(Assignment.user_id, Assignment.due_at)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.course_id == rule.course_id, *criteria(rule))
    )
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    found = statuses(rule.course, dict(db.session.execute(query).all()), now)
    return len(found), sum(1 for s in found.values() if s in DONE)
