"""Applying assignment rules to people: who needs which course, by when."""

import datetime as dt

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from signpost.config import expiring_days
from signpost.extensions import db
from signpost.models import (
    Assignment,
    AssignmentRule,
    Certificate,
    Course,
    User,
    UserRole,
    utcnow,
)

BATCH = 500  # rows per statement: well inside SQLite's and PostgreSQL's parameter limits
END_OF_DAY = dt.time(23, 59, 59)


def rule_matches(rule: AssignmentRule, user: User) -> bool:
    """True when the user meets every criterion the rule sets."""
    return (
        (rule.agency_id is None or rule.agency_id == user.agency_id)
        and (rule.team_id is None or rule.team_id == user.team_id)
        and (rule.role is None or rule.role in user.roles)
    )


def due_at(rule: AssignmentRule, assigned_at: dt.datetime) -> dt.datetime:
    """The end of the rule's fixed date, or `due_days` after the person was assigned."""
    if rule.due_date is not None:
        return dt.datetime.combine(rule.due_date, END_OF_DAY)
    return assigned_at + dt.timedelta(days=rule.due_days)


def criteria(rule: AssignmentRule) -> list:
    where = [User.active.is_(True), User.erased_at.is_(None)]
    if rule.agency_id is not None:
        where.append(User.agency_id == rule.agency_id)
    if rule.team_id is not None:
        where.append(User.team_id == rule.team_id)
    if rule.role is not None:
        where.append(User.role_rows.any(UserRole.role == rule.role))
    return where


def _upsert(rows: list[dict]) -> None:
    """Insert assignments; where one exists, keep the earlier due date."""
    # ON CONFLICT, not a read-then-write: another server may have inserted a moment ago,
    # and a deadline is never extended silently.
    if not rows:
        return
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Assignment).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "course_id"],
        set_={"due_at": stmt.excluded.due_at, "rule_id": stmt.excluded.rule_id},
        where=or_(Assignment.due_at.is_(None), stmt.excluded.due_at < Assignment.due_at),
    )
    db.session.execute(stmt)


def _needs(held: dict, user_id: int, due: dt.datetime) -> bool:
    return user_id not in held or held[user_id] is None or due < held[user_id]


def apply_rule(rule: AssignmentRule, now: dt.datetime | None = None) -> int:
    """Assign the rule's course to everyone it matches now; returns how many changed."""
    now = now or utcnow()
    due = due_at(rule, now)
    changed, last = 0, 0
    while True:
        ids = db.session.scalars(
            select(User.id).where(*criteria(rule), User.id > last).order_by(User.id).limit(BATCH)
        ).all()
        if not ids:
            return changed
        last = ids[-1]
        held = dict(
            db.session.execute(
                select(Assignment.user_id, Assignment.due_at).where(
                    Assignment.course_id == rule.course_id, Assignment.user_id.in_(ids)
                )
            ).all()
        )
        rows = [
            {
                "user_id": uid,
                "course_id": rule.course_id,
                "due_at": due,
                "assigned_at": now,
                "rule_id": rule.id,
            }
            for uid in ids
            if _needs(held, uid, due)
        ]
        _upsert(rows)
        changed += len(rows)


def active_rules() -> list[AssignmentRule]:
    """Rules that still apply to people who join, for courses still offered."""
    return list(
        db.session.scalars(
            select(AssignmentRule)
            .join(Course, Course.id == AssignmentRule.course_id)
            .where(AssignmentRule.active.is_(True), Course.active.is_(True))
            .order_by(AssignmentRule.id)
        )
    )


def apply_rules_to_user(user: User) -> list[Assignment]:
    """Give a person the courses active rules require; returns their assignments for them."""
    if user.id is None:
        db.session.flush()  # also fills in column defaults such as `active`
    wanted = apply_rules_to_users([user])
    if not wanted:
        return []
    mine = select(Assignment).where(
        Assignment.user_id == user.id, Assignment.course_id.in_(wanted[user.id])
    )
    return list(db.session.scalars(mine.execution_options(populate_existing=True)))


def apply_rules_to_users(users: list[User]) -> dict[int, list[int]]:
    """Apply active rules to many people at once (an import); returns course ids per person."""
    rules, now = active_rules(), utcnow()
    wanted: dict[int, dict[int, tuple[dt.datetime, int]]] = {}
    for user in users:
        if not user.active or user.erased_at is not None:
            continue
        for rule in rules:
            if rule_matches(rule, user):
                due, mine = due_at(rule, now), wanted.setdefault(user.id, {})
                if rule.course_id not in mine or due < mine[rule.course_id][0]:
                    mine[rule.course_id] = (due, rule.id)
    ids = sorted(wanted)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        held = {
            (a.user_id, a.course_id): a.due_at
            for a in db.session.execute(
                select(Assignment.user_id, Assignment.course_id, Assignment.due_at).where(
                    Assignment.user_id.in_(chunk)
                )
            )
        }
        _upsert(
            [
                {
                    "user_id": uid,
                    "course_id": cid,
                    "due_at": due,
                    "assigned_at": now,
                    "rule_id": rid,
                }
                for uid in chunk
                for cid, (due, rid) in wanted[uid].items()
                if (uid, cid) not in held or held[uid, cid] is None or due < held[uid, cid]
            ]
        )
    return {uid: list(courses) for uid, courses in wanted.items()}


def refresh_renewals(now: dt.datetime | None = None) -> int:
    """Make assigned courses whose certificate is expiring (or expired) due at its expiry."""
    now = now or utcnow()
    latest = (
        select(
            Certificate.user_id,
            Certificate.course_id,
            func.max(Certificate.expires_at).label("expires_at"),
        )
        .where(Certificate.revoked_at.is_(None), Certificate.replaced_by_id.is_(None))
        .group_by(Certificate.user_id, Certificate.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Assignment.id, latest.c.expires_at)
        .join(
            latest,
            and_(
                latest.c.user_id == Assignment.user_id, latest.c.course_id == Assignment.course_id
            ),
        )
        .where(
            latest.c.expires_at <= now + dt.timedelta(days=expiring_days()),
            or_(Assignment.due_at.is_(None), Assignment.due_at != latest.c.expires_at),
        )
    ).all()
    for start in range(0, len(rows), BATCH):
        db.session.execute(
            update(Assignment),
            [{"id": aid, "due_at": expires} for aid, expires in rows[start : start + BATCH]],
        )
    return len(rows)
