"""Every endpoint says who it is for, and the role-restricted ones refuse everyone else."""

import pytest
from werkzeug.routing import IntegerConverter, Rule

from blueprints.access import PUBLIC, audience_of
from signpost.models import Role
from tests.factories import UserFactory


def _sample(converter) -> object:
    return 1 if isinstance(converter, IntegerConverter) else "x"


def _url(app, rule: Rule) -> str:
    values = {name: _sample(converter) for name, converter in rule._converters.items()}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _rules(app, wanted) -> list[tuple[Rule, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        audience = audience_of(app, rule.endpoint)
        if wanted(audience):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule, method))
    return found


def _request(client, method: str, url: str, token_page: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": client.csrf_token(token_page)})


def test_every_endpoint_declares_its_audience(app):
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if audience_of(app, rule.endpoint) is None
    )
    assert missing == [], "declare public, signed_in or role_required(...) on: " + ", ".join(
        missing
    )


def test_the_public_endpoints_are_the_ones_meant_to_be(app):
    public = {r.endpoint for r, _ in _rules(app, lambda a: a == PUBLIC)}
    assert public == {
        "static",
        "content.asset",
        "accounts.sign_in",
        "accounts.register",
        "accounts.forgot_password",
        "accounts.reset_password",
        "certificates.verify",
        "certificates.verify_code",
        "certificates.short",
        "main.healthz",
        "reminders.unsubscribe",
        "moved.sessions",
        "moved.unsubscribe",
    }


def test_anonymous_visitors_are_sent_to_sign_in_from_every_other_endpoint(app, client):
    guarded = _rules(app, lambda a: a not in (PUBLIC, None))
    assert len(guarded) > 50
    for rule, method in guarded:
        response = _request(client, method, _url(app, rule), "/account/sign-in")
        assert response.status_code == 302, (rule.endpoint, method, response.status_code)
        assert "/account/sign-in" in response.headers["Location"], rule.endpoint


def test_people_without_the_role_are_refused_every_role_restricted_endpoint(app, client, auth):
    restricted = _rules(app, lambda a: isinstance(a, frozenset))
    by_roles: dict[frozenset, list] = {}
    for rule, method in restricted:
        by_roles.setdefault(audience_of(app, rule.endpoint), []).append((rule, method))
    for roles, rules in by_roles.items():
        others = [r for r in Role if r not in roles]
        if not others:
            continue
        person = UserFactory(roles=others)
        auth.login(person)
        for rule, method in rules:
            response = _request(client, method, _url(app, rule), "/account/password")
            assert response.status_code == 403, (rule.endpoint, method, sorted(others))
        auth.logout()


@pytest.mark.parametrize("role", list(Role))
def test_a_person_with_the_role_gets_past_the_role_check(app, client, auth, role):
    # The role check is what the previous test exercised; here, holding the role is enough.
    auth.login(UserFactory(roles=[role]))
    for rule, method in _rules(app, lambda a: isinstance(a, frozenset) and role in a):
        if method != "GET":
            continue
        response = client.get(_url(app, rule))
        assert response.status_code < 500, rule.endpoint
        assert b"This page is for users with the" not in response.get_data(), rule.endpoint
