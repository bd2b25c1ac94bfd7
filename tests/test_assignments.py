"""Assignment rules: matching, due dates, bulk and new-user assignment, renewal, pages, scope."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from signpost import assigning, assignment_status, assignments, certificates
from signpost.extensions import db
from signpost.models import (
    Assignment,
    AssignmentRule,
    AuditEvent,
    CourseCompletion,
    Role,
    User,
    utcnow,
)
from tests.factories import AgencyFactory, TeamFactory, UserFactory


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def assignment_of(user, course) -> Assignment | None:
    return db.session.scalar(
        select(Assignment)
        .where(Assignment.user_id == user.id, Assignment.course_id == course.id)
        .execution_options(populate_existing=True)
    )


def certify(user, course, completed_at) -> certificates.Certificate:
    """A completion of `course` at `completed_at`, with its certificate."""
    completion = CourseCompletion(
        user_id=user.id,
        course_id=course.id,
        round=1,
        completed_at=completed_at,
        module_versions=[{"module": "basics", "version": 1, "label": "1.0", "title": "Basics"}],
    )
    db.session.add(completion)
    db.session.flush()
    cert = certificates.issue(completion)
    db.session.commit()
    return cert


def make_rule(actor, course, **kwargs) -> AssignmentRule:
    """Create a rule through the domain function, committed."""
    options = {"agency_id": None, "team_id": None, "role": None, "due_days": 30, "due_date": None}
    options.update(kwargs)
    rule, _ = assignments.create_rule(actor, course_id=course.id, **options)
    db.session.commit()
    return rule


@pytest.fixture
def admin(app):
    return UserFactory(roles=[Role.ADMIN])


# --- Domain: matching and due dates -------------------------------------------------------


def test_a_rule_matches_when_every_criterion_it_sets_matches(app):
    team = TeamFactory()
    other_team = TeamFactory(agency=team.agency)
    nurse = UserFactory(agency=team.agency, team=team, roles=[Role.LEARNER])
    lead = UserFactory(agency=team.agency, team=other_team, roles=[Role.AGENCY_LEAD])
    outsider = UserFactory(roles=[Role.LEARNER])

    def rule(**kw):
        return AssignmentRule(course_id=1, due_days=30, **kw)

    assert assigning.rule_matches(rule(), outsider)  # no criteria: everyone
    assert assigning.rule_matches(rule(agency_id=team.agency_id), nurse)
    assert not assigning.rule_matches(rule(agency_id=team.agency_id), outsider)
    assert assigning.rule_matches(rule(team_id=team.id), nurse)
    assert not assigning.rule_matches(rule(team_id=team.id), lead)
    assert assigning.rule_matches(rule(role=Role.AGENCY_LEAD), lead)
    assert not assigning.rule_matches(rule(role=Role.AGENCY_LEAD), nurse)
    both = rule(agency_id=team.agency_id, role=Role.LEARNER)
    assert assigning.rule_matches(both, nurse)
    assert not assigning.rule_matches(both, lead)  # right agency, wrong role
    assert not assigning.rule_matches(both, outsider)  # right role, wrong agency


def test_due_date_is_the_end_of_a_fixed_day_or_days_after_assignment():
    assigned = dt.datetime(2026, 3, 1, 9, 30)
    fixed = AssignmentRule(due_date=dt.date(2026, 4, 30))
    assert assigning.due_at(fixed, assigned) == dt.datetime(2026, 4, 30, 23, 59, 59)
    relative = AssignmentRule(due_days=30)
    assert assigning.due_at(relative, assigned) == dt.datetime(2026, 3, 31, 9, 30)


def test_creating_a_rule_assigns_everyone_it_matches_now(app, course, admin):
    agency = AgencyFactory()
    staff = [UserFactory(agency=agency) for _ in range(3)]
    gone = UserFactory(agency=agency, active=False)
    erased = UserFactory(agency=agency, erased_at=utcnow())
    elsewhere = UserFactory()
    now = utcnow()
    rule, changed = assignments.create_rule(
        admin, course_id=course.id, agency_id=agency.id, team_id=None, role=None,
        due_days=30, due_date=None, now=now,
    )  # fmt: skip
    db.session.commit()
    assert changed == 3
    for person in staff:
        found = assignment_of(person, course)
        assert found.due_at == now + dt.timedelta(days=30) and found.rule_id == rule.id
    for person in (gone, erased, elsewhere):
        assert assignment_of(person, course) is None
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assignment_rule_created")
    )
    assert event.actor_id == admin.id and event.detail["assigned"] == 3


def test_bulk_assignment_works_in_batches(app, course, admin, monkeypatch):
    monkeypatch.setattr(assigning, "BATCH", 2)
    agency = AgencyFactory()
    staff = [UserFactory(agency=agency) for _ in range(5)]
    make_rule(admin, course, agency_id=agency.id)
    assert all(assignment_of(p, course) is not None for p in staff)


def test_an_existing_assignment_keeps_the_earlier_due_date(app, course, admin):
    agency = AgencyFactory()
    soon, later, undated = (UserFactory(agency=agency) for _ in range(3))
    now = utcnow()
    early = now + dt.timedelta(days=10)
    late = now + dt.timedelta(days=90)
    db.session.add_all(
        [
            Assignment(user_id=soon.id, course_id=course.id, due_at=early),
            Assignment(user_id=later.id, course_id=course.id, due_at=late),
            Assignment(user_id=undated.id, course_id=course.id, due_at=None),
        ]
    )
    db.session.commit()
    _, changed = assignments.create_rule(
        admin, course_id=course.id, agency_id=agency.id, team_id=None, role=None,
        due_days=30, due_date=None, now=now,
    )  # fmt: skip
    db.session.commit()
    assert changed == 2
    assert assignment_of(soon, course).due_at == early  # never extended silently
    assert assignment_of(later, course).due_at == now + dt.timedelta(days=30)  # brought forward
    assert assignment_of(undated, course).due_at == now + dt.timedelta(days=30)
    assert count(Assignment) == 3  # one row per person and course


def test_a_new_user_picks_up_matching_rules(app, course, admin):
    team = TeamFactory()
    make_rule(admin, course, agency_id=team.agency_id, due_days=60)
    make_rule(admin, course, team_id=team.id, due_days=14)  # the same course, sooner
    newcomer = User(name="New Starter", email="new@example.org", agency_id=team.agency_id,
                    team_id=team.id)  # fmt: skip
    newcomer.set_roles({Role.LEARNER})
    db.session.add(newcomer)
    made = assigning.apply_rules_to_user(newcomer)
    db.session.commit()
    assert [a.course_id for a in made] == [course.id]
    assigned = assignment_of(newcomer, course)
    assert assigned.due_at - assigned.assigned_at == dt.timedelta(days=14)  # the earlier one


def test_new_users_do_not_pick_up_inactive_rules_or_other_agencies(app, course, admin):
    agency = AgencyFactory()
    rule = make_rule(admin, course, agency_id=agency.id)
    assignments.deactivate_rule(admin, rule)
    db.session.commit()
    assert assigning.apply_rules_to_user(UserFactory(agency=agency)) == []
    make_rule(admin, course, agency_id=AgencyFactory().id)
    assert assigning.apply_rules_to_user(UserFactory(agency=agency)) == []
    assert assigning.apply_rules_to_user(UserFactory(active=False)) == []


def test_applying_rules_again_changes_nothing(app, course, admin):
    make_rule(admin, course, due_days=20)
    person = UserFactory()
    first = assigning.apply_rules_to_user(person)
    due = first[0].due_at
    db.session.commit()
    again = assigning.apply_rules_to_user(person)
    assert [a.due_at for a in again] == [due]
    assert count(Assignment, Assignment.user_id == person.id) == 1


def test_renewal_makes_the_course_due_by_the_certificate_expiry(app, course, admin):
    now = utcnow()
    renewing, current, unassigned = UserFactory(), UserFactory(), UserFactory()
    expiring = certify(renewing, course, now - dt.timedelta(days=340))
    certify(current, course, now - dt.timedelta(days=10))
    certify(unassigned, course, now - dt.timedelta(days=340))
    old_due = now - dt.timedelta(days=300)
    for person in (renewing, current):
        db.session.add(Assignment(user_id=person.id, course_id=course.id, due_at=old_due))
    db.session.commit()
    assert assigning.refresh_renewals(now) == 1
    db.session.commit()
    assert assignment_of(renewing, course).due_at == expiring.expires_at
    assert assignment_of(current, course).due_at == old_due
    assert assignment_of(unassigned, course) is None
    assert assigning.refresh_renewals(now) == 0  # nothing left to change
    # Once expired, the same assignment is overdue.
    later = expiring.expires_at + dt.timedelta(days=1)
    due = {renewing.id: assignment_of(renewing, course).due_at}
    assert assignment_status.statuses(course, due, later) == {renewing.id: "overdue"}


# --- Pages ----------------------------------------------------------------------------------


def test_admin_creates_a_rule_and_learners_see_it_required(client, auth, course, admin):
    agency = AgencyFactory()
    learner = UserFactory(agency=agency)
    auth.login(admin)
    response = client.submit(
        "/assignments/new",
        {"course": course.id, "agency": agency.id, "team": "", "role": "", "due_days": "30"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "assigned to 1 person" in html and learner.name in html and "Not started" in html
    rule = db.session.scalar(select(AssignmentRule))
    assert (rule.agency_id, rule.due_days, rule.created_by_id) == (agency.id, 30, admin.id)
    index = client.get("/assignments/").get_data(as_text=True)
    assert "Starter course" in index and agency.name in index
    auth.logout()
    auth.login(learner)
    due = assignment_of(learner, course).due_at.strftime("%-d %B %Y")
    learning = client.get("/learn/").get_data(as_text=True)
    assert "Required for you" in learning and f"Due {due}" in learning


@pytest.mark.parametrize(
    ("days", "date", "message"),
    [
        ("", "", "Give a number of days or a fixed date"),
        ("30", "2099-01-01", "Give either a number of days or a fixed date, not both"),
        ("0", "", "Enter a number of days from 1 to 3650"),
        ("", "2000-01-01", "The fixed date must be today or later"),
    ],
)
def test_the_due_date_needs_exactly_one_valid_choice(
    client, auth, course, admin, days, date, message
):
    auth.login(admin)
    data = {"course": course.id, "agency": "", "team": "", "role": "", "due_days": days,
            "due_date": date}  # fmt: skip
    response = client.submit("/assignments/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert count(AssignmentRule) == 0 and count(Assignment) == 0


def test_a_fixed_date_rule_is_due_at_the_end_of_that_day(client, auth, course, admin):
    auth.login(admin)
    client.submit(
        "/assignments/new",
        {
            "course": course.id,
            "agency": "",
            "team": "",
            "role": "learner",
            "due_date": "2099-06-30",
        },
    )
    assert assignment_of(admin, course) is None  # an admin without the learner role
    rule = db.session.scalar(select(AssignmentRule))
    assert rule.role == Role.LEARNER and rule.due_date == dt.date(2099, 6, 30)


def test_learners_cannot_manage_assignments(client, auth, user):
    auth.login(user)
    assert client.get("/assignments/").status_code == 403
    assert client.get("/assignments/new").status_code == 403


@pytest.fixture
def two_agencies(app, course, admin):
    """A lead in one agency, with a rule each for their agency and another."""
    mine, theirs = AgencyFactory(), AgencyFactory()
    lead = UserFactory(agency=mine, roles=[Role.AGENCY_LEAD, Role.LEARNER])
    UserFactory(agency=mine, name="Mine Staff")
    UserFactory(agency=theirs, name="Their Staff")
    own_rule = make_rule(admin, course, agency_id=mine.id)
    other_rule = make_rule(admin, course, agency_id=theirs.id, due_days=45)
    everyone = make_rule(admin, course, due_days=90)
    return {"mine": mine, "theirs": theirs, "lead": lead, "own": own_rule,
            "other": other_rule, "everyone": everyone}  # fmt: skip


def test_a_lead_assigns_within_their_own_agency_only(client, auth, course, two_agencies):
    lead, mine, theirs = two_agencies["lead"], two_agencies["mine"], two_agencies["theirs"]
    their_team = TeamFactory(agency=theirs)
    auth.login(lead)
    rules_before, events_before = count(AssignmentRule), count(AuditEvent)
    base = {"course": course.id, "team": "", "role": "", "due_days": "10"}
    assert client.submit("/assignments/new", {**base, "agency": theirs.id}).status_code == 404
    team = {**base, "agency": "", "team": their_team.id}
    assert client.submit("/assignments/new", team).status_code == 404
    assert count(AssignmentRule) == rules_before and count(AuditEvent) == events_before
    response = client.submit("/assignments/new", {**base, "agency": ""})
    assert response.status_code == 302
    newest = db.session.scalar(select(AssignmentRule).order_by(AssignmentRule.id.desc()))
    assert newest.agency_id == mine.id  # forced to the lead's own agency


def test_a_lead_cannot_see_or_change_another_agencys_rules(client, auth, two_agencies):
    auth.login(two_agencies["lead"])
    other, own, everyone = two_agencies["other"], two_agencies["own"], two_agencies["everyone"]
    assert client.get(f"/assignments/{other.id}").status_code == 404
    response = client.submit(f"/assignments/{other.id}/deactivate", page=f"/assignments/{own.id}")
    assert response.status_code == 404
    assert db.session.get(AssignmentRule, other.id).active
    index = client.get("/assignments/").get_data(as_text=True)
    assert f"/assignments/{own.id}" in index and f"/assignments/{everyone.id}" in index
    assert f'/assignments/{other.id}"' not in index
    # A rule for all agencies shows only the lead's own staff, and cannot be changed by them.
    page = client.get(f"/assignments/{everyone.id}").get_data(as_text=True)
    assert "Mine Staff" in page and "Their Staff" not in page
    assert "Deactivate rule" not in page
    response = client.submit(
        f"/assignments/{everyone.id}/deactivate", page=f"/assignments/{own.id}"
    )
    assert response.status_code == 403


def test_deactivating_stops_new_people_and_keeps_existing_assignments(
    client, auth, course, two_agencies
):
    lead, own = two_agencies["lead"], two_agencies["own"]
    auth.login(lead)
    page = client.get(f"/assignments/{own.id}").get_data(as_text=True)
    assert "People it has already assigned keep the course" in page
    response = client.submit(f"/assignments/{own.id}/deactivate", page=f"/assignments/{own.id}")
    assert response.status_code == 302
    assert not db.session.get(AssignmentRule, own.id).active
    assert count(AuditEvent, AuditEvent.action == "assignment_rule_deactivated") == 1
    staff = db.session.scalar(select(User).where(User.name == "Mine Staff"))
    assert assignment_of(staff, db.session.get(AssignmentRule, own.id).course) is not None
    newcomer = UserFactory(agency=two_agencies["mine"])
    made = assigning.apply_rules_to_user(newcomer)
    # Only the still-active rule for all agencies applies (90 days), not the inactive one.
    assert [a.due_at - a.assigned_at for a in made] == [dt.timedelta(days=90)]
