"""People: who may manage whom, and creating, changing, deactivating and finding users."""

from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select

from signpost import assigning, audit
from signpost.accounts import normalise_email
from signpost.errors import Invalid, NotPermitted
from signpost.extensions import db
from signpost.models import ROLE_LABELS, Agency, Role, Team, User, UserRole, utcnow
from signpost.scope import scope_of

# Roles only an admin may hand out; an agency lead manages learners and trainers only.
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.AUDITOR, Role.AGENCY_LEAD})
LEAD_GRANTABLE = frozenset({Role.LEARNER, Role.TRAINER})
STATUSES = ("active", "deactivated", "erased", "all")
CANNOT_ADD = "This address can't be added here; ask an admin."


class PeopleError(Invalid):
    """A change to a person that cannot be made; `about` names the detail at fault."""

    def __init__(self, message: str, about: str = "name"):
        super().__init__(message, about)


class NotAllowed(PeopleError, NotPermitted):
    """The actor may not act on this person or agency."""


@dataclass
class PersonDetails:
    """What an admin or lead fills in about a person."""

    name: str
    email: str
    agency_id: int
    team_id: int | None = None
    job_title: str | None = None
    roles: set[Role] = field(default_factory=lambda: {Role.LEARNER})


def is_admin(actor: User) -> bool:
    """Admins manage everyone."""
    return actor.has_role(Role.ADMIN)


def scope_agency_id(actor: User) -> int | None:
    """The one agency a lead manages; None for an admin (every agency)."""
    return scope_of(actor).managed_agency


def can_see(actor: User, person: User) -> bool:
    """Whether the actor may open this person's page (see signpost.scope)."""
    return scope_of(actor).covers(person)


def can_manage(actor: User, person: User) -> bool:
    """Admins manage anyone; leads manage their own agency's learners and trainers only."""
    if is_admin(actor):
        return True
    return scope_of(actor).may_manage(person) and not (person.roles & PRIVILEGED_ROLES)


def grantable_roles(actor: User) -> frozenset[Role]:
    """The roles this actor may give to someone."""
    return frozenset(Role) if is_admin(actor) else LEAD_GRANTABLE


def agencies_for(actor: User) -> list[Agency]:
    """The agencies the actor may put people in."""
    stmt = select(Agency).order_by(Agency.name)
    if scope_agency_id(actor) is not None:
        stmt = stmt.where(Agency.id == actor.agency_id)
    return list(db.session.scalars(stmt))


def role_names(roles) -> str:
    """Roles as stored in CSV files: values in a fixed order, separated by semicolons."""
    return "; ".join(role.value for role in Role if role in roles)


def _require_manage(actor: User, person: User) -> None:
    if not can_manage(actor, person):
        raise NotAllowed("You cannot change this person's account.")
    if person.erased_at is not None:
        raise PeopleError("This person's details have been erased; the account cannot change.")


def check_details(actor: User, details: PersonDetails, person: User | None = None) -> None:
    """Raise PeopleError if the actor may not give a person these details."""
    if not details.name.strip():
        raise PeopleError("Enter the person's full name", "name")
    if not normalise_email(details.email):
        raise PeopleError("Enter the person's email address", "email")
    scope = scope_agency_id(actor)
    if scope is not None and details.agency_id != scope:
        raise NotAllowed("You can only manage people in your own agency.", "agency_id")
    if db.session.get(Agency, details.agency_id) is None:
        raise PeopleError("Choose an agency from the list", "agency_id")
    if details.team_id is not None:
        team = db.session.get(Team, details.team_id)
        if team is None or team.agency_id != details.agency_id:
            raise PeopleError("Choose a team that belongs to the chosen agency", "team_id")
    if not details.roles:
        raise PeopleError("Choose at least one role", "roles")
    held = person.roles if person is not None else set()
    refused = (set(details.roles) - held) - grantable_roles(actor)
    if refused:
        names = ", ".join(sorted(ROLE_LABELS[r].lower() for r in refused))
        raise NotAllowed(f"Only an administrator can give the {names} role.", "roles")
    own = person is not None and person.id == actor.id
    if own and Role.ADMIN in person.roles and Role.ADMIN not in details.roles:
        raise PeopleError("You cannot remove your own administrator role.", "roles")
    email = normalise_email(details.email)
    clash = select(func.count()).select_from(User).where(User.email == email)
    if person is not None:
        clash = clash.where(User.id != person.id)
    if db.session.scalar(clash):
        if not is_admin(actor):
            # A lead is not told whose the address is, or even that it is in use elsewhere.
            raise PeopleError(CANNOT_ADD, "email")
        raise PeopleError("Someone already has this email address.", "email")


def create_user(actor: User, details: PersonDetails, ip: str | None = None) -> User:
    """Create an account (no password until the person sets one); the caller commits."""
    check_details(actor, details)
    person = User(
        name=details.name.strip(),
        email=normalise_email(details.email),
        agency_id=details.agency_id,
        team_id=details.team_id,
        job_title=(details.job_title or "").strip() or None,
        password_hash=None,
    )
    person.set_roles(set(details.roles))
    db.session.add(person)
    db.session.flush()
    assigning.apply_rules_to_user(person)
    audit.record(
        "user_created",
        actor=actor,
        target=person,
        ip=ip,
        agency_id=person.agency_id,
        roles=sorted(r.value for r in details.roles),
    )
    return person


def update_user(actor: User, person: User, details: PersonDetails, ip: str | None = None) -> list:
    """Change a person's details, roles, agency or team; returns the fields changed."""
    _require_manage(actor, person)
    check_details(actor, details, person)
    before = {
        "name": person.name,
        "email": person.email,
        "team": person.team_id,
        "job_title": person.job_title,
    }
    after = {
        "name": details.name.strip(),
        "email": normalise_email(details.email),
        "team": details.team_id,
        "job_title": (details.job_title or "").strip() or None,
    }
    changed = [key for key in before if before[key] != after[key]]
    old_agency, old_roles = person.agency_id, person.roles
    person.name, person.email = after["name"], after["email"]
    person.team_id, person.job_title = after["team"], after["job_title"]
    if changed:
        audit.record("user_updated", actor=actor, target=person, ip=ip, fields=changed)
    if details.agency_id != old_agency:
        person.agency_id = details.agency_id
        changed.append("agency")
        audit.record(
            "agency_changed",
            actor=actor,
            target=person,
            ip=ip,
            agency_id=details.agency_id,
            old=old_agency,
            new=details.agency_id,
        )
    if set(details.roles) != old_roles:
        person.set_roles(set(details.roles))
        changed.append("roles")
        audit.record(
            "role_changed",
            actor=actor,
            target=person,
            ip=ip,
            added=sorted(r.value for r in set(details.roles) - old_roles),
            removed=sorted(r.value for r in old_roles - set(details.roles)),
        )
    if {"agency", "team", "roles"} & set(changed):
        assigning.apply_rules_to_user(person)  # rules for the new agency, team or role
    return changed


def deactivate_user(actor: User, person: User, ip: str | None = None) -> None:
    """Stop a person signing in and end their sessions; their records stay."""
    _require_manage(actor, person)
    if person.id == actor.id:
        raise PeopleError("You cannot deactivate your own account.", "active")
    if not person.active:
        raise PeopleError("This account is already deactivated.", "active")
    person.active = False
    person.deactivated_at = utcnow()
    person.session_version = (person.session_version or 0) + 1  # signs them out everywhere
    audit.record("user_deactivated", actor=actor, target=person, ip=ip, agency_id=person.agency_id)


def reactivate_user(actor: User, person: User, ip: str | None = None) -> None:
    """Let a deactivated person sign in again."""
    _require_manage(actor, person)
    if person.active:
        raise PeopleError("This account is already active.", "active")
    person.active = True
    person.deactivated_at = None
    assigning.apply_rules_to_user(person)  # rules made while they were away
    audit.record("user_reactivated", actor=actor, target=person, ip=ip, agency_id=person.agency_id)


@dataclass
class Search:
    """What the people list is filtered by."""

    text: str = ""
    agency_id: int | None = None
    team_id: int | None = None
    role: Role | None = None
    status: str = "active"


def search(actor: User, criteria: Search) -> Select:
    """People the actor may see matching the criteria, by name."""
    stmt = select(User).order_by(func.lower(User.name), User.id)
    scope = scope_agency_id(actor)
    if scope is not None:
        stmt = stmt.where(User.agency_id == scope)
    elif criteria.agency_id:
        stmt = stmt.where(User.agency_id == criteria.agency_id)
    if criteria.team_id:
        stmt = stmt.where(User.team_id == criteria.team_id)
    if criteria.role is not None:
        stmt = stmt.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == criteria.role))
        )
    text = criteria.text.strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(User.name.ilike(like, escape="\\"), User.email.ilike(like, escape="\\"))
        )
    if criteria.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif criteria.status == "deactivated":
        stmt = stmt.where(User.active.is_(False), User.erased_at.is_(None))
    elif criteria.status == "erased":
        stmt = stmt.where(User.erased_at.is_not(None))
    return stmt


EXPORT_HEADER = ["name", "email", "agency", "team", "roles", "job title", "status", "last sign-in"]


def export_rows(people) -> list[list]:
    """The people list as CSV rows; the first six columns are the import format."""
    rows = [EXPORT_HEADER]
    for person in people:
        status = "erased" if person.erased_at else ("active" if person.active else "deactivated")
        rows.append(
            [
                person.name,
                person.email,
                person.agency.name,
                person.team.name if person.team else "",
                role_names(person.roles),
                person.job_title or "",
                status,
                person.last_login_at.strftime("%Y-%m-%d %H:%M") if person.last_login_at else "",
            ]
        )
    return rows


def record_list_export(actor: User, count: int, ip: str | None = None) -> None:
    """Note in the audit log that the people list left the site as a file."""
    audit.record("people_exported", actor=actor, ip=ip, count=count)


def record_link_sent(actor: User, person: User, ip: str | None = None) -> None:
    """Note that a person was sent a fresh link to set their password."""
    audit.record(
        "set_password_link_sent", actor=actor, target=person, ip=ip, agency_id=person.agency_id
    )
