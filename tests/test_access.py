"""Roles and the single access check."""

import pytest
from flask import Blueprint

from blueprints.access import role_required
from signpost.models import Role
from tests.factories import UserFactory


@pytest.fixture
def guarded(app):
    bp = Blueprint("guarded", __name__)

    @bp.get("/board-only")
    @role_required(Role.AUDITOR, Role.ADMIN)
    def board_only():
        return "board figures"

    app.register_blueprint(bp)
    return app


def test_anonymous_is_sent_to_sign_in(guarded, client):
    response = client.get("/board-only")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in?next=")


def test_missing_role_gets_403_naming_what_is_missing(guarded, client, auth):
    auth.login(UserFactory(roles=[Role.LEARNER, Role.TRAINER]))
    response = client.get("/board-only")
    assert response.status_code == 403
    assert "board auditor or administrator role" in response.get_data(as_text=True)


def test_any_one_of_the_roles_is_enough(guarded, client, auth):
    auth.login(UserFactory(roles=[Role.LEARNER, Role.AUDITOR]))
    assert client.get("/board-only").get_data(as_text=True) == "board figures"


def test_a_user_can_hold_several_roles(app):
    user = UserFactory(roles=[Role.LEARNER, Role.AGENCY_LEAD, Role.TRAINER])
    assert user.roles == {Role.LEARNER, Role.AGENCY_LEAD, Role.TRAINER}
    user.set_roles({Role.LEARNER})
    assert user.roles == {Role.LEARNER}
