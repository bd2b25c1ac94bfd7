"""Assignment rules: which courses are required of whom, by when, and who has done them."""

import datetime as dt

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from signpost import audit
from signpost.config import expiring_days
from signpost.errors import Invalid, NotPermitted
from signpost.extensions import db
from signpost.models import (
    Agency,
    Assignment,
    AssignmentRule,
    Certificate,
    Course,
    Role,
    Team,
    User,
    UserRole,
    utcnow,
)
from signpost.scope import scope_of

BATCH = 500  # rows per statement: well inside SQLite's and PostgreSQL's parameter limits
END_OF_DAY = dt.time(23, 59, 59)
MAX_DUE_DAYS = 3650
DONE = ("completed", "expiring_soon")


class RuleError(Invalid):
    """A rule that cannot be made as asked; `about` names the detail at fault."""


class OutOfScope(NotPermitted):
    """An agency lead acting on another agency."""


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


def create_rule(
    actor: User,
    *,
    course_id: int | None,
    agency_id: int | None,
    team_id: int | None,
    role: Role | None,
    due_days: int | None,
    due_date: dt.date | None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[AssignmentRule, int]:
    """Make a rule and apply it to everyone it matches now; returns it and how many changed."""
    now = now or utcnow()
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or not course.active:
        raise RuleError("Choose a course from the list", "course_id")
    if (due_days is None) == (due_date is None):
        raise RuleError("Give either a number of days or a fixed date, not both", "due_days")
    if due_days is not None and not 1 <= due_days <= MAX_DUE_DAYS:
        raise RuleError(f"The number of days must be between 1 and {MAX_DUE_DAYS}", "due_days")
    if due_date is not None and due_date < now.date():
        raise RuleError("The fixed date must be today or later", "due_date")
    team = db.session.get(Team, team_id) if team_id else None
    if team_id and team is None:
        raise RuleError("Choose a team from the list", "team_id")
    managed = scope_of(actor).managed_agency
    if managed is not None:
        # A lead's rules are always for their own agency, and only its teams.
        if agency_id not in (None, managed) or (team and team.agency_id != managed):
            raise OutOfScope("Agency leads can only assign courses within their own agency.")
        agency_id = managed
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        raise RuleError("Choose an agency from the list", "agency_id")
    if team is not None:
        if agency_id is None:
            agency_id = team.agency_id
        elif team.agency_id != agency_id:
            raise RuleError("That team is not part of the chosen agency", "team_id")
    rule = AssignmentRule(
        course_id=course.id,
        agency_id=agency_id,
        team_id=team_id,
        role=role,
        due_days=due_days,
        due_date=due_date,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(rule)
    db.session.flush()
    changed = apply_rule(rule, now)
    audit.record(
        "assignment_rule_created",
        actor=actor,
        target=rule,
        ip=ip,
        agency_id=agency_id,
        course=course.slug,
        team_id=team_id,
        role=role.value if role else None,
        due_days=due_days,
        due_date=due_date.isoformat() if due_date else None,
        assigned=changed,
    )
    return rule, changed


def can_view(actor: User, rule: AssignmentRule) -> bool:
    """Rules for every agency, and rules for an agency in the actor's scope."""
    return rule.agency_id is None or scope_of(actor).covers_agency(rule.agency_id)


def can_manage(actor: User, rule: AssignmentRule) -> bool:
    """Admins change any rule; leads only their own agency's."""
    return scope_of(actor).may_manage_agency(rule.agency_id)


def visible_rules(actor: User) -> list[AssignmentRule]:
    """The rules in the actor's scope, active ones first, newest first."""
    query = select(AssignmentRule).order_by(
        AssignmentRule.active.desc(), AssignmentRule.created_at.desc(), AssignmentRule.id.desc()
    )
    query = query.where(
        or_(
            AssignmentRule.agency_id.is_(None),
            scope_of(actor).agency_condition(AssignmentRule.agency_id),
        )
    )
    return list(db.session.scalars(query))


def deactivate_rule(actor: User, rule: AssignmentRule, ip: str | None = None) -> None:
    """Stop a rule applying to people who join later; what it assigned stays assigned."""
    if not can_manage(actor, rule):
        raise OutOfScope("Agency leads can only change their own agency's rules.")
    if rule.active:
        rule.active = False
        audit.record(
            "assignment_rule_deactivated",
            actor=actor,
            target=rule,
            ip=ip,
            agency_id=rule.agency_id,
        )


def scope_agency(actor: User) -> int | None:
    """The agency whose people the actor manages (None: everyone)."""
    return scope_of(actor).managed_agency


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
