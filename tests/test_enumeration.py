"""Sign-in gives the same answer, in the same time, whether or not an account exists."""

import statistics
import time

import pytest

from tests.factories import UserFactory

ROUNDS = 12


@pytest.fixture
def app_config(app_config):
    # The timing comparison needs more failed attempts than the sign-in limits allow.
    return {
        **app_config,
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
    }


def _sign_in(client, email: str):
    token = client.csrf_token("/account/sign-in")
    started = time.perf_counter()
    response = client.post(
        "/account/sign-in", data={"email": email, "password": "a wrong guess", "csrf_token": token}
    )
    return response, time.perf_counter() - started


def test_unknown_and_real_accounts_get_the_same_answer(client, user):
    known, _ = _sign_in(client, user.email)
    unknown, _ = _sign_in(client, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 401
    message = "The email address or password is not right."
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_unknown_and_real_accounts_take_the_same_time(client):
    people = [UserFactory() for _ in range(ROUNDS)]
    real, missing = [], []
    for n, person in enumerate(people):  # interleaved, so that load on the machine hits both
        real.append(_sign_in(client, person.email)[1])
        missing.append(_sign_in(client, f"nobody{n}@example.org")[1])
    ratio = statistics.median(real) / statistics.median(missing)
    # Before the dummy hash an unknown address answered about five times faster.
    assert 0.67 < ratio < 1.5, (statistics.median(real), statistics.median(missing))


def test_a_lead_adding_someone_elses_address_is_not_told_whose_it_is(client, auth):
    from signpost.models import Role
    from tests.factories import AgencyFactory

    mine, theirs = AgencyFactory(name="County Health"), AgencyFactory(name="County Police")
    UserFactory(email="officer@example.org", agency=theirs, name="Their Officer")
    auth.login(UserFactory(roles=[Role.AGENCY_LEAD], agency=mine))
    form = {"name": "Someone", "email": "officer@example.org", "agency": mine.id}
    response = client.submit(
        "/admin/people/new", {**form, "team": "0", "job_title": "", "roles": ["learner"]}
    )
    page = response.get_data(as_text=True)
    assert "This address can&#39;t be added here; ask an admin." in page
    assert "Their Officer" not in page and "County Police" not in page
