"""Self-registration, which an admin can switch off."""

from sqlalchemy import func, select

from signpost.extensions import db
from signpost.models import Role, User
from tests.factories import AgencyFactory, TeamFactory, UserFactory


def form(chosen, **extra):
    data = {
        "name": "Pat Example",
        "email": "pat@example.org",
        "agency": str(chosen.id),
        "team": "0",
        "password": "violet stapler mountain",
        "confirm": "violet stapler mountain",
    }
    data.update(extra)
    return data


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_creates_a_learner_in_the_chosen_agency(client):
    agency = AgencyFactory(name="Riverside Police")
    team = TeamFactory(agency=agency, name="Response")
    page = client.get("/account/register").get_data(as_text=True)
    assert "Riverside Police" in page and "Riverside Police – Response" in page
    response = client.submit("/account/register", form(agency, team=str(team.id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "pat@example.org"))
    assert user.agency == agency and user.team == team
    assert user.roles == {Role.LEARNER}
    assert client.get("/account/password").status_code == 200


def test_register_rejects_bad_input_and_creates_nothing(client):
    agency = AgencyFactory()
    other_team = TeamFactory()
    UserFactory(email="taken@example.org")
    before = user_count()
    cases = [
        (form(agency, email="taken@example.org"), "already exists"),
        (form(agency, agency="0"), "Choose your agency"),
        (form(agency, agency="99999"), "Not a valid choice"),
        (form(agency, team=str(other_team.id)), "belongs to your agency"),
        (form(agency, password="short", confirm="short"), "at least 12 characters"),
        (form(agency, email="not-an-email"), "correct format"),
    ]
    for data, message in cases:
        response = client.submit("/account/register", data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert user_count() == before


def test_admin_can_switch_registration_off(client, auth):
    agency = AgencyFactory()
    admin = UserFactory(roles=[Role.ADMIN])
    auth.login(admin)
    response = client.submit("/admin/settings", {})  # unticked box: off
    assert response.status_code == 302
    auth.logout()
    assert "Create an account" not in client.get("/account/sign-in").get_data(as_text=True)
    response = client.get("/account/register")
    assert response.status_code == 403
    assert "Self-registration is switched off" in response.get_data(as_text=True)
    assert client.post("/account/register", data=form(agency)).status_code in (400, 403)
    assert user_count() == 1


def test_only_admins_reach_settings(client, auth):
    auth.login(UserFactory(roles=[Role.AGENCY_LEAD, Role.TRAINER]))
    response = client.get("/admin/settings")
    assert response.status_code == 403
    assert "administrator role" in response.get_data(as_text=True)
