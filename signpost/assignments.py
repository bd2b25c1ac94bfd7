"""Assignment rules: making them, who may see and change them, and switching them off."""

import datetime as dt

from sqlalchemy import or_, select

from signpost import assigning, audit
from signpost.errors import Invalid, NotPermitted
from signpost.extensions import db
from signpost.models import (
    Agency,
    AssignmentRule,
    Course,
    Role,
    Team,
    User,
    utcnow,
)
from signpost.scope import scope_of

MAX_DUE_DAYS = 3650
DONE = ("completed", "expiring_soon")


class RuleError(Invalid):
    """A rule that cannot be made as asked; `about` names the detail at fault."""


class OutOfScope(NotPermitted):
    """An agency lead acting on another agency."""


def _check_due(due_days: int | None, due_date: dt.date | None, now: dt.datetime) -> None:
    if (due_days is None) == (due_date is None):
        raise RuleError("Give either a number of days or a fixed date, not both", "due_days")
    if due_days is not None and not 1 <= due_days <= MAX_DUE_DAYS:
        raise RuleError(f"The number of days must be between 1 and {MAX_DUE_DAYS}", "due_days")
    if due_date is not None and due_date < now.date():
        raise RuleError("The fixed date must be today or later", "due_date")


def _target_agency(actor: User, agency_id: int | None, team_id: int | None) -> int | None:
    """The agency a rule is for, checked against the team and the actor's scope."""
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
    if team is not None and agency_id is not None and team.agency_id != agency_id:
        raise RuleError("That team is not part of the chosen agency", "team_id")
    return team.agency_id if team is not None else agency_id


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
    _check_due(due_days, due_date, now)
    agency_id = _target_agency(actor, agency_id, team_id)
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
    changed = assigning.apply_rule(rule, now)
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
