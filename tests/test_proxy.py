"""Behind a load balancer: the visitor's address comes from X-Forwarded-For only if trusted."""

import pytest
from sqlalchemy import select

from signpost.extensions import db
from signpost.models import AuditEvent

VISITOR, OTHER = "203.0.113.7", "203.0.113.8"


def _failed_sign_in(client, email: str, forwarded: str):
    token = client.csrf_token("/account/sign-in")
    return client.post(
        "/account/sign-in",
        data={"email": email, "password": "not the password", "csrf_token": token},
        headers={"X-Forwarded-For": forwarded},
    )


def _logged_addresses() -> list[str]:
    db.session.rollback()
    query = select(AuditEvent.ip).where(AuditEvent.action == "sign_in_failed")
    return list(db.session.scalars(query))


def test_without_trusted_proxies_the_forwarded_address_is_ignored(client):
    _failed_sign_in(client, "someone@example.org", VISITOR)
    assert _logged_addresses() == ["127.0.0.1"]


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "TRUSTED_PROXIES": 1}

    def test_the_audit_log_records_the_visitors_address(self, client):
        _failed_sign_in(client, "someone@example.org", VISITOR)
        assert _logged_addresses() == [VISITOR]

    def test_the_per_address_sign_in_limit_counts_each_visitor_apart(self, client):
        for n in range(20):
            assert _failed_sign_in(client, f"guess{n}@example.org", VISITOR).status_code == 401
        assert _failed_sign_in(client, "guess@example.org", VISITOR).status_code == 429
        # Someone else behind the same load balancer is not held back.
        assert _failed_sign_in(client, "mine@example.org", OTHER).status_code == 401
