"""Resetting a forgotten password by an emailed, single-use, expiring link."""

import re
from datetime import timedelta

from sqlalchemy import update

from signpost.extensions import db
from signpost.models import PasswordResetToken, utcnow
from tests.factories import PASSWORD, UserFactory

NEW = "copper lantern meadow"


def request_link(client, smtp, email):
    response = client.submit("/account/forgot-password", {"email": email})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    messages = smtp.to(email)
    if not messages:
        return None
    text = smtp.text(messages[-1])
    return re.search(r"http://localhost(/account/reset-password/\S+)", text).group(1)


def test_reset_link_arrives_by_smtp_and_works_once(client, auth, smtp, user):
    link = request_link(client, smtp, user.email)
    message = smtp.to(user.email)[0]
    assert message["Subject"] == "Reset your Signpost password"
    assert message.get_body(preferencelist=("html",)) is not None

    response = client.submit(link, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert auth.login(user, NEW).status_code == 302
    auth.logout()

    again = client.get(link)
    assert again.status_code == 400
    assert "expired or has already been used" in again.get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, smtp):
    assert request_link(client, smtp, "nobody@example.org") is None
    assert smtp.messages == []


def test_expired_link_is_refused(client, smtp, user, auth):
    link = request_link(client, smtp, user.email)
    db.session.execute(
        update(PasswordResetToken).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert auth.login(user, NEW).status_code == 401


def test_reset_ends_existing_sessions(app, client, smtp, user):
    other = app.test_client()
    other.submit(
        "/account/sign-in", {"email": user.email, "password": "orange kettle harbour lamp"}
    )
    link = request_link(client, smtp, user.email)
    client.submit(link, {"password": NEW, "confirm": NEW})
    assert other.get("/account/password").status_code == 302


def test_weak_password_on_reset_keeps_the_link_usable(client, smtp, user):
    link = request_link(client, smtp, user.email)
    response = client.submit(link, {"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert client.submit(link, {"password": NEW, "confirm": NEW}).status_code == 302


def test_inactive_user_gets_no_link(client, smtp):
    user = UserFactory(active=False)
    assert request_link(client, smtp, user.email) is None


def _works(client, link: str) -> bool:
    return client.get(link).status_code == 200


def test_a_newer_link_makes_every_older_one_stop_working(client, smtp, user):
    first = request_link(client, smtp, user.email)
    second = request_link(client, smtp, user.email)
    assert not _works(client, first)
    assert _works(client, second)


def test_a_completed_reset_ends_every_other_link(app, client, smtp, user):
    from signpost import accounts

    spare = accounts.create_reset_token(user, 2)  # a link made by other means, e.g. an admin
    db.session.commit()
    link = request_link(client, smtp, user.email)
    assert client.submit(link, {"password": NEW, "confirm": NEW}).status_code == 302
    assert not _works(client, f"/account/reset-password/{spare}")


def test_a_password_change_ends_every_outstanding_link(client, smtp, auth, user):
    link = request_link(client, smtp, user.email)
    auth.login(user)
    changed = client.submit(
        "/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert changed.status_code == 302
    auth.logout()
    assert not _works(client, link)
