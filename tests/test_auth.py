"""Signing in and out, redirects, CSRF and throttling."""

import pytest
from sqlalchemy import func, select

from signpost.extensions import db
from signpost.models import AuditEvent, Role
from tests.factories import UserFactory
from tests.html import Page


def audit_actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_and_out(client, auth, user):
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True)  # a learner's home is My learning
    assert page.request.path == "/learn/"
    page = Page(page)
    assert f"Signed in as {user.name}" in page.text() and user.name in page.texts("strong")

    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/account/sign-in")
    assert audit_actions() == ["sign_in", "sign_out"]


def test_staff_without_the_learner_role_get_a_page_of_their_tools(client, auth):
    auth.login(UserFactory(roles=[Role.AUDITOR]))
    page = Page(client.get("/"))
    assert "Your tools" in page.text() and "/reports/" in page.hrefs()
    assert not page.select('[href="/learn/"]')


def test_wrong_password_is_refused_with_a_clear_message(client, auth, user):
    response = auth.login(user, "not the password at all")
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "The email address or password is not right." in body
    assert "#password" in dict(Page(response).error_summary())  # the summary links to the field
    assert client.get("/account/password").status_code == 302
    assert audit_actions() == ["sign_in_failed"]


def test_unknown_account_gets_the_same_message(client, auth):
    response = auth.login("nobody@example.org", "whatever password")
    assert response.status_code == 401
    assert "The email address or password is not right." in response.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, auth):
    user = UserFactory(active=False)
    response = auth.login(user)
    assert response.status_code == 401
    assert "deactivated" in response.get_data(as_text=True)


def test_email_is_matched_without_regard_to_case(client, auth, user):
    assert auth.login(user.email.upper()).status_code == 302


def test_next_redirect_stays_on_this_site(client, user):
    token = client.csrf_token("/account/sign-in")
    data = {"email": user.email, "password": "orange kettle harbour lamp", "csrf_token": token}
    response = client.post("/account/sign-in?next=/account/password", data=data)
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:/evil",
        "javascript:alert(1)",
    ],
)
def test_next_redirect_to_another_site_is_ignored(client, user, target):
    token = client.csrf_token("/account/sign-in")
    data = {"email": user.email, "password": "orange kettle harbour lamp", "csrf_token": token}
    response = client.post("/account/sign-in", query_string={"next": target}, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_missing_csrf_token_is_refused_and_changes_nothing(client, user):
    response = client.post(
        "/account/sign-in", data={"email": user.email, "password": "orange kettle harbour lamp"}
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_forged_csrf_token_is_refused(client, auth, user):
    auth.login(user)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": "forged.token.value",
            "current": "orange kettle harbour lamp",
            "password": "a brand new passphrase here",
            "confirm": "a brand new passphrase here",
        },
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.session_version == 1


def test_sign_out_needs_a_post_with_csrf(client, auth, user):
    auth.login(user)
    assert client.get("/account/sign-out").status_code == 405
    assert client.post("/account/sign-out").status_code == 400
    assert client.get("/account/password").status_code == 200


def test_throttled_per_account_after_five_failures(client, auth, user):
    for _ in range(5):
        assert auth.login(user, "wrong password guess").status_code == 401
    response = auth.login(user)  # even the right password waits
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Try again in" in response.get_data(as_text=True)


def test_throttled_per_address_across_accounts(app, client, auth):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for n in range(3):
        assert auth.login(f"someone{n}@example.org", "wrong").status_code == 401
    assert auth.login("another@example.org", "wrong").status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, auth, user):
    for _ in range(7):
        assert auth.login(user).status_code == 302
        auth.logout()


@pytest.fixture
def redis_config(app_config):
    import redis

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    connection.flushdb()
    app_config.update(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    yield app_config
    connection.flushdb()


def test_throttling_state_is_shared_through_redis(redis_config, db_url):
    """Two app servers sharing Redis see one count."""
    from app import create_app
    from tests.conftest import SignpostClient

    first, second = create_app(redis_config), create_app(redis_config)
    for app in (first, second):
        app.test_client_class = SignpostClient
    with first.app_context():
        user = UserFactory()
        email = user.email
    try:
        for n in range(5):
            client = (first if n % 2 else second).test_client()
            client.submit("/account/sign-in", {"email": email, "password": "wrong"})
        response = first.test_client().submit("/account/sign-in", {"email": email, "password": "x"})
        assert response.status_code == 429
    finally:
        with first.app_context():
            from tests.conftest import _wipe

            db.session.remove()
            _wipe(db.engine)
