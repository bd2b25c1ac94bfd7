"""Agencies and their teams, managed by admins."""

from sqlalchemy import func, select

from signpost import audit
from signpost.extensions import db
from signpost.models import Agency, AgencyKind, Team, User
from signpost.people import PeopleError


def _clean(name: str, what: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise PeopleError(f"Enter the {what}'s name", "name")
    if len(name) > 200:
        raise PeopleError(f"The {what}'s name must be 200 characters or fewer", "name")
    return name


def _agency_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(Agency).where(func.lower(Agency.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Agency.id != except_id)
    return bool(db.session.scalar(stmt))


def _team_taken(agency_id: int, name: str, except_id: int | None = None) -> bool:
    stmt = (
        select(func.count())
        .select_from(Team)
        .where(Team.agency_id == agency_id, func.lower(Team.name) == name.lower())
    )
    if except_id is not None:
        stmt = stmt.where(Team.id != except_id)
    return bool(db.session.scalar(stmt))


def all_agencies() -> list[Agency]:
    """Every agency, by name."""
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def staff_counts() -> dict[int, int]:
    """How many active people each agency has."""
    rows = db.session.execute(
        select(User.agency_id, func.count()).where(User.active.is_(True)).group_by(User.agency_id)
    )
    return dict(rows.all())


def create_agency(actor: User, name: str, kind: AgencyKind, ip: str | None = None) -> Agency:
    """Add an agency; the caller commits."""
    name = _clean(name, "agency")
    if _agency_taken(name):
        raise PeopleError("There is already an agency with this name", "name")
    agency = Agency(name=name, kind=AgencyKind(kind))
    db.session.add(agency)
    db.session.flush()
    audit.record("agency_created", actor=actor, target=agency, ip=ip, agency_id=agency.id)
    return agency


def update_agency(
    actor: User, agency: Agency, name: str, kind: AgencyKind, ip: str | None = None
) -> None:
    """Rename an agency or change its kind."""
    name = _clean(name, "agency")
    if _agency_taken(name, agency.id):
        raise PeopleError("There is already an agency with this name", "name")
    old = {"name": agency.name, "kind": agency.kind.value}
    agency.name, agency.kind = name, AgencyKind(kind)
    audit.record(
        "agency_updated",
        actor=actor,
        target=agency,
        ip=ip,
        agency_id=agency.id,
        old=old,
        new={"name": name, "kind": agency.kind.value},
    )


def create_team(actor: User, agency: Agency, name: str, ip: str | None = None) -> Team:
    """Add a team to an agency."""
    name = _clean(name, "team")
    if _team_taken(agency.id, name):
        raise PeopleError("This agency already has a team with this name", "name")
    team = Team(agency_id=agency.id, name=name)
    db.session.add(team)
    db.session.flush()
    audit.record("team_created", actor=actor, target=team, ip=ip, agency_id=agency.id, name=name)
    return team


def rename_team(actor: User, team: Team, name: str, ip: str | None = None) -> None:
    """Give a team a new name."""
    name = _clean(name, "team")
    if _team_taken(team.agency_id, name, team.id):
        raise PeopleError("This agency already has a team with this name", "name")
    old, team.name = team.name, name
    audit.record(
        "team_renamed", actor=actor, target=team, ip=ip, agency_id=team.agency_id, old=old, new=name
    )
