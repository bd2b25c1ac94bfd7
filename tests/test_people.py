"""People administration: list, search, add, change, deactivate; agency leads' scope; agencies."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from signpost import assigning, people
from signpost.extensions import db
from signpost.models import Agency, Assignment, AssignmentRule, AuditEvent, Role, Team, User
from tests.conftest import AuthActions, Mailbox
from tests.factories import AgencyFactory, TeamFactory, UserFactory
from tests.html import Page

NEW_PASSWORD = "granite meadow violin parcel"


def admin(**kwargs) -> User:
    """An administrator."""
    return UserFactory(roles=[Role.ADMIN], **kwargs)


def lead_of(agency: Agency) -> User:
    """An agency lead (who is also a learner) in `agency`."""
    return UserFactory(agency=agency, roles=[Role.AGENCY_LEAD, Role.LEARNER])


def actions() -> list[str]:
    """Every audit action recorded so far, oldest first."""
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def link_in(message) -> str:
    """The set-password path in an email."""
    return re.search(r"http://localhost(/account/reset-password/\S+)", Mailbox.text(message))[1]


def person_form(agency, **overrides) -> dict:
    data = {
        "name": "Priya Shah",
        "email": "Priya.Shah@Example.org",
        "job_title": "Health visitor",
        "agency": agency.id,
        "team": 0,
        "roles": ["learner"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def rules_applied(monkeypatch):
    """Records the people assignment rules were applied to."""
    seen = []
    monkeypatch.setattr(assigning, "apply_rules_to_user", lambda user: seen.append(user.id) or [])
    return seen


def test_people_are_listed_and_found_by_name_or_email(client, auth):
    me = admin(name="Ada Admin")
    police = AgencyFactory(name="County Police")
    UserFactory(name="Sam Patel", email="sam@police.example.org", agency=police)
    UserFactory(name="Jo Brown", email="jo@health.example.org")
    UserFactory(name="Old Leaver", active=False)
    auth.login(me)
    html = client.get("/admin/people").get_data(as_text=True)
    assert "Sam Patel" in html and "Jo Brown" in html and "Old Leaver" not in html
    html = client.get("/admin/people?q=police.example").get_data(as_text=True)
    assert "Sam Patel" in html and "Jo Brown" not in html
    html = client.get(f"/admin/people?agency={police.id}").get_data(as_text=True)
    assert "Sam Patel" in html and "Jo Brown" not in html
    html = client.get("/admin/people?status=deactivated").get_data(as_text=True)
    assert "Old Leaver" in html and "Sam Patel" not in html
    html = client.get("/admin/people?role=admin").get_data(as_text=True)
    assert "Ada Admin" in html and "Sam Patel" not in html
    assert "/admin/people" in Page(client.get("/")).hrefs()  # the menu entry


def test_search_treats_wildcards_literally(app):
    me = admin()
    UserFactory(name="Percy 100% Sure")
    UserFactory(name="Someone Else")
    found = db.session.scalars(people.search(me, people.Search(text="100%"))).all()
    assert [p.name for p in found] == ["Percy 100% Sure"]


def test_learners_cannot_open_people_pages(client, learner):
    assert client.get("/admin/people").status_code == 403
    assert client.get("/admin/people/new").status_code == 403
    assert client.get("/admin/agencies").status_code == 403


def test_admin_adds_a_person_who_is_emailed_a_link_to_set_a_password(
    client, auth, smtp, rules_applied
):
    agency = AgencyFactory(name="County Health")
    team = TeamFactory(agency=agency, name="Health Visiting")
    auth.login(admin())
    response = client.submit(
        "/admin/people/new",
        person_form(agency, team=team.id, roles=["learner", "trainer"]),
    )
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "priya.shah@example.org"))
    assert (person.name, person.agency_id, person.team_id) == ("Priya Shah", agency.id, team.id)
    assert person.roles == {Role.LEARNER, Role.TRAINER}
    assert person.password_hash is None and person.active
    assert rules_applied == [person.id]
    assert "user_created" in actions()
    [message] = smtp.to("priya.shah@example.org")
    assert message["Subject"] == "Set your Signpost password"
    assert "7 days" in Mailbox.text(message)
    # The person follows the link, chooses a password and can sign in.
    auth.logout()
    path = link_in(message)
    client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert auth.login("priya.shah@example.org", NEW_PASSWORD).status_code == 302


def test_new_and_moved_people_pick_up_matching_assignment_rules(client, auth, course, smtp):
    health, police = AgencyFactory(), AgencyFactory()
    db.session.add(AssignmentRule(course_id=course.id, agency_id=police.id, due_days=30))
    db.session.commit()
    auth.login(admin())
    client.submit("/admin/people/new", person_form(police, email="new@example.org"))
    newcomer = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert db.session.scalar(select(Assignment.course_id).where(Assignment.user_id == newcomer.id))
    mover = UserFactory(agency=health)
    client.submit(f"/admin/people/{mover.id}", person_form(police, email=mover.email))
    assert db.session.scalar(select(Assignment.course_id).where(Assignment.user_id == mover.id))


def test_adding_a_person_with_bad_details_explains_and_creates_nobody(client, auth, smtp):
    agency = AgencyFactory()
    other_team = TeamFactory()
    UserFactory(email="taken@example.org", agency=agency)
    auth.login(admin())
    before = count(User)
    cases = [
        (
            person_form(agency, team=other_team.id),
            "Choose a team that belongs to the chosen agency",
        ),
        (person_form(agency, email="taken@example.org"), "Someone already has this email address"),
        (person_form(agency, email="not-an-email"), "Enter an email address in the correct format"),
        (person_form(agency, roles=[]), "Choose at least one role"),
        (person_form(agency, name=""), "Enter the person's full name"),
    ]
    for data, message in cases:
        response = client.submit("/admin/people/new", data)
        assert response.status_code == 200
        summary = Page(response).text(".error-summary")
        assert "There is a problem" in summary and message in summary, message
    assert count(User) == before
    assert smtp.messages == []


def test_admin_changes_roles_agency_and_team_and_each_change_is_audited(client, auth):
    old, new = AgencyFactory(), AgencyFactory()
    team = TeamFactory(agency=new)
    person = UserFactory(agency=old, roles=[Role.LEARNER], job_title="Nurse")
    auth.login(admin())
    response = client.submit(
        f"/admin/people/{person.id}",
        person_form(
            new,
            name="Priya Shah-Jones",
            email=person.email,
            team=team.id,
            roles=["learner", "agency_lead"],
        ),
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.name, person.agency_id, person.team_id) == ("Priya Shah-Jones", new.id, team.id)
    assert person.roles == {Role.LEARNER, Role.AGENCY_LEAD}
    assert {"user_updated", "agency_changed", "role_changed"} <= set(actions())
    changed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role_changed"))
    assert changed.detail == {"added": ["agency_lead"], "removed": []}


def test_an_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(client, auth):
    me = admin()
    auth.login(me)
    html = client.submit(
        f"/admin/people/{me.id}", person_form(me.agency, email=me.email, roles=["learner"])
    ).get_data(as_text=True)
    assert "You cannot remove your own administrator role" in html
    client.submit(f"/admin/people/{me.id}/deactivate", page=f"/admin/people/{me.id}")
    db.session.refresh(me)
    assert me.active and me.roles == {Role.ADMIN}


def test_deactivated_people_cannot_sign_in_and_keep_their_records(client, auth, course):
    person = UserFactory()
    db.session.add(Assignment(user_id=person.id, course_id=course.id))
    db.session.commit()
    # The person is signed in elsewhere when they are deactivated.
    elsewhere = client.application.test_client()
    AuthActions(elsewhere).login(person)
    assert elsewhere.get("/account/password").status_code == 200
    auth.login(admin())
    response = client.submit(
        f"/admin/people/{person.id}/deactivate", page=f"/admin/people/{person.id}"
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert not person.active and person.deactivated_at is not None
    assert count(Assignment) == 1 and db.session.get(User, person.id) is not None
    assert "user_deactivated" in actions()
    # Their other session has ended, and they cannot sign in again.
    assert elsewhere.get("/learn/").status_code == 302
    response = AuthActions(elsewhere).login(person)
    assert "This account has been deactivated" in response.get_data(as_text=True)
    # Reactivated, they can.
    client.submit(f"/admin/people/{person.id}/reactivate", page=f"/admin/people/{person.id}")
    assert AuthActions(elsewhere).login(person).status_code == 302
    assert "user_reactivated" in actions()


def test_leads_see_only_their_own_agency(client, auth):
    mine, theirs = AgencyFactory(), AgencyFactory()
    UserFactory(name="Mine Person", agency=mine)
    UserFactory(name="Their Person", agency=theirs)
    auth.login(lead_of(mine))
    html = client.get(f"/admin/people?agency={theirs.id}").get_data(as_text=True)
    assert "Mine Person" in html and "Their Person" not in html
    text = client.get("/admin/people.csv").get_data(as_text=True)
    assert "Mine Person" in text and "Their Person" not in text


def test_a_lead_adds_learners_to_their_own_agency_only(client, auth, smtp):
    mine, theirs = AgencyFactory(), AgencyFactory()
    auth.login(lead_of(mine))
    page = Page(client.get("/admin/people/new"))
    assert theirs.name not in page.html and 'value="admin"' not in page.html
    form = page.form(action="/admin/people/new")
    assert form.options("roles") == ["learner", "trainer"]
    assert form.options("agency") == [str(mine.id)]
    assert page.select('input[type="checkbox"][name="roles"][value="trainer"]')
    assert page.text("fieldset#roles > legend") == "Roles"
    assert page.select_one('label.checkbox__label[for="roles-1"]')
    assert page.select_one("input#roles-1")["name"] == "roles"
    before = count(User)
    for data, message in [
        (person_form(theirs), "Not a valid choice"),
        (person_form(mine, roles=["learner", "admin"]), "'admin' is not a valid choice"),
        (person_form(mine, roles=["agency_lead"]), "is not a valid choice"),
    ]:
        text = Page(client.submit("/admin/people/new", data)).text()
        assert "There is a problem" in text and message in text
    assert count(User) == before
    response = client.submit("/admin/people/new", person_form(mine, roles=["learner", "trainer"]))
    assert response.status_code == 302
    added = db.session.scalar(select(User).where(User.email == "priya.shah@example.org"))
    assert added.agency_id == mine.id and added.roles == {Role.LEARNER, Role.TRAINER}


def test_a_lead_cannot_touch_another_agencys_people_by_url(client, auth):
    mine, theirs = AgencyFactory(), AgencyFactory()
    other = UserFactory(agency=theirs, name="Their Person")
    auth.login(lead_of(mine))
    assert client.get(f"/admin/people/{other.id}").status_code == 404
    token = client.csrf_token("/admin/people/new")
    for url, data in [
        (f"/admin/people/{other.id}", person_form(theirs, name="Changed", email=other.email)),
        (f"/admin/people/{other.id}/deactivate", {}),
        (f"/admin/people/{other.id}/send-link", {}),
        (f"/admin/people/{other.id}/erase", {"confirm": "y"}),
    ]:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code in (403, 404), url
    db.session.refresh(other)
    assert (other.name, other.active, other.erased_at) == ("Their Person", True, None)


def test_a_lead_cannot_change_an_admin_or_move_someone_to_another_agency(client, auth):
    mine, theirs = AgencyFactory(), AgencyFactory()
    boss = admin(agency=mine)
    learner = UserFactory(agency=mine)
    auth.login(lead_of(mine))
    assert "Only an administrator can change" in client.get(f"/admin/people/{boss.id}").get_data(
        as_text=True
    )
    token = client.csrf_token("/admin/people/new")
    response = client.post(f"/admin/people/{boss.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 403
    html = client.submit(
        f"/admin/people/{learner.id}", person_form(theirs, email=learner.email)
    ).get_data(as_text=True)
    assert "Not a valid choice" in html
    db.session.refresh(boss)
    db.session.refresh(learner)
    assert boss.active and learner.agency_id == mine.id


def test_domain_refuses_a_lead_granting_privileged_roles(app):
    mine = AgencyFactory()
    lead = lead_of(mine)
    details = people.PersonDetails("A B", "ab@example.org", mine.id, roles={Role.AUDITOR})
    with pytest.raises(people.NotAllowed, match="auditor"):
        people.create_user(lead, details)
    details = people.PersonDetails("A B", "ab@example.org", AgencyFactory().id)
    with pytest.raises(people.NotAllowed, match="own agency"):
        people.create_user(lead, details)


def test_csv_export_is_safe_to_open_in_a_spreadsheet(client, auth):
    agency = AgencyFactory(name="Safe Futures")
    UserFactory(name='=HYPERLINK("http://x")', agency=agency, job_title="@boss")
    auth.login(admin(agency=agency))
    response = client.get("/admin/people.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["name", "email", "agency", "team", "roles", "job title"]
    bad = next(r for r in rows if "HYPERLINK" in r[0])
    assert bad[0] == '\'=HYPERLINK("http://x")' and bad[5] == "'@boss"
    assert "people_exported" in actions()


def test_admin_manages_agencies_and_teams(client, auth):
    auth.login(admin())
    response = client.submit(
        "/admin/agencies", {"name": "  Riverside  Trust ", "kind": "education"}
    )
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.name == "Riverside Trust"))
    assert agency.kind.value == "education"
    html = client.submit("/admin/agencies", {"name": "riverside trust", "kind": "health"}).get_data(
        as_text=True
    )
    assert "There is already an agency with this name" in html
    page = f"/admin/agencies/{agency.id}"
    client.submit(page, {"name": "Riverside Academy Trust", "kind": "education"})
    client.submit(f"{page}/teams", {"team-name": "Safeguarding Leads"}, page=page)
    html = client.submit(f"{page}/teams", {"team-name": "safeguarding leads"}, page=page).get_data(
        as_text=True
    )
    assert "already has a team with this name" in html
    team = db.session.scalar(select(Team).where(Team.agency_id == agency.id))
    client.submit(f"/admin/teams/{team.id}", {"name": "DSLs"})
    db.session.refresh(agency)
    db.session.refresh(team)
    assert (agency.name, team.name) == ("Riverside Academy Trust", "DSLs")
    assert {"agency_created", "agency_updated", "team_created", "team_renamed"} <= set(actions())


def test_leads_cannot_manage_agencies(client, auth):
    agency = AgencyFactory()
    auth.login(lead_of(agency))
    assert client.get("/admin/agencies").status_code == 403
    assert client.get(f"/admin/agencies/{agency.id}").status_code == 403
