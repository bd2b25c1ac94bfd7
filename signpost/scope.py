"""Who may see and manage which agencies and people: decided here and nowhere else.

Admins and board auditors see every agency; an agency lead sees their own agency;
anyone else sees only themselves. Seeing is not changing: only admins (anywhere) and
agency leads (in their own agency) manage people, rules, sessions and records.
Anything outside a person's scope is answered as if it did not exist (a 404).
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true

from signpost.models import Role, User

NO_AGENCY = 0  # an agency id no row has: a scope limited to nobody's agency matches nothing


@dataclass(frozen=True)
class Scope:
    """The agencies whose people and records one person may see, and may change."""

    person_id: int | None
    everywhere: bool = False  # sees every agency
    agency_id: int | None = None  # the person's own agency, if they lead it
    manages_everywhere: bool = False  # admins
    manages_own: bool = False  # agency leads, in their own agency

    def covers_agency(self, agency_id: int | None) -> bool:
        """True if records of this agency are visible."""
        return self.everywhere or (self.agency_id is not None and agency_id == self.agency_id)

    def covers(self, person: User) -> bool:
        """True for the person themselves and for anyone in a visible agency."""
        return person.id == self.person_id or self.covers_agency(person.agency_id)

    def may_manage_agency(self, agency_id: int | None) -> bool:
        """True if this person may change things belonging to this agency."""
        if self.manages_everywhere:
            return True
        return self.manages_own and self.agency_id is not None and agency_id == self.agency_id

    def may_manage(self, person: User) -> bool:
        """True if this person may change another person's account or records."""
        return self.may_manage_agency(person.agency_id)

    @property
    def managed_agency(self) -> int | None:
        """The one agency a lead manages; None for an admin (every agency)."""
        return None if self.manages_everywhere else (self.agency_id or NO_AGENCY)

    @property
    def report_agency(self) -> int | None:
        """For figures: None for every agency, else the one agency (or none) in view."""
        if self.everywhere:
            return None
        return self.agency_id if self.agency_id is not None else NO_AGENCY

    def agency_condition(self, column) -> ColumnElement[bool]:
        """A SQL condition keeping rows whose agency `column` is in scope."""
        if self.everywhere:
            return true()
        if self.agency_id is None:
            return false()
        return column == self.agency_id


def scope_of(person: User) -> Scope:
    """The scope of a signed-in person, from their roles and agency."""
    if not getattr(person, "is_authenticated", False) or not person.active:
        return Scope(person_id=None)
    lead = person.has_role(Role.AGENCY_LEAD)
    return Scope(
        person.id,
        everywhere=person.has_role(Role.ADMIN, Role.AUDITOR),
        agency_id=person.agency_id if lead else None,
        manages_everywhere=person.has_role(Role.ADMIN),
        manages_own=lead,
    )


def can_see(actor: User, person: User) -> bool:
    """True if `actor` may see `person` and their training records."""
    return scope_of(actor).covers(person)
