"""The one access scope: who sees and who manages which agencies and people."""

import pytest
from sqlalchemy import select

from signpost.extensions import db
from signpost.models import Agency, Role, User
from signpost.scope import NO_AGENCY, scope_of
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def agencies(app):
    return AgencyFactory(name="Police"), AgencyFactory(name="Health")


def test_admins_see_and_manage_every_agency(agencies):
    police, health = agencies
    scope = scope_of(UserFactory(roles=[Role.ADMIN], agency=police))
    assert scope.covers_agency(health.id) and scope.may_manage_agency(health.id)
    assert scope.may_manage_agency(None)  # rules and sessions for every agency
    assert scope.report_agency is None and scope.managed_agency is None


def test_auditors_see_every_agency_and_manage_none(agencies):
    police, health = agencies
    scope = scope_of(UserFactory(roles=[Role.AUDITOR], agency=police))
    assert scope.covers_agency(health.id) and scope.covers_agency(police.id)
    assert not scope.may_manage_agency(police.id)
    assert scope.report_agency is None


def test_a_lead_sees_and_manages_their_own_agency_only(agencies):
    police, health = agencies
    lead = UserFactory(roles=[Role.AGENCY_LEAD], agency=police)
    scope = scope_of(lead)
    assert scope.covers(UserFactory(agency=police))
    assert not scope.covers(UserFactory(agency=health))
    assert scope.may_manage_agency(police.id) and not scope.may_manage_agency(health.id)
    assert not scope.may_manage_agency(None)
    assert scope.report_agency == police.id == scope.managed_agency


def test_a_lead_who_is_also_an_auditor_sees_everywhere_but_manages_only_their_own(agencies):
    police, health = agencies
    scope = scope_of(UserFactory(roles=[Role.AGENCY_LEAD, Role.AUDITOR], agency=police))
    assert scope.covers_agency(health.id)
    assert scope.may_manage_agency(police.id) and not scope.may_manage_agency(health.id)


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_everyone_else_sees_only_themselves(agencies, role):
    police, _ = agencies
    person = UserFactory(roles=[role], agency=police)
    scope = scope_of(person)
    assert scope.covers(person)
    assert not scope.covers(UserFactory(agency=police))
    assert scope.report_agency == NO_AGENCY and not scope.may_manage(person)


def test_the_sql_condition_keeps_exactly_the_agencies_in_scope(agencies):
    police, health = agencies
    lead = UserFactory(roles=[Role.AGENCY_LEAD], agency=police)
    learner = UserFactory(agency=health)

    def visible(person):
        condition = scope_of(person).agency_condition(Agency.id)
        return set(db.session.scalars(select(Agency.name).where(condition)))

    assert visible(lead) == {"Police"}
    assert visible(learner) == set()
    assert visible(UserFactory(roles=[Role.AUDITOR])) >= {"Police", "Health"}


def test_a_deactivated_person_has_no_scope(agencies):
    admin = UserFactory(roles=[Role.ADMIN])
    admin.active = False
    assert not scope_of(admin).covers_agency(agencies[0].id)
    assert not scope_of(db.session.get(User, admin.id)).may_manage_agency(None)
