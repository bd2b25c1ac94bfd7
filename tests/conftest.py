"""Shared fixtures: app, client, runner, auth, smtp, on SQLite or PostgreSQL."""

import os
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from app import create_app
from signpost.extensions import db
from signpost.models import Base
from tests.factories import PASSWORD, UserFactory
from tests.html import Page


def database_url(tmp_path_factory) -> str:
    """PostgreSQL when DATABASE_URL says so, else a SQLite file for this test run."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    """A database with a fresh schema, built once per test run."""
    url = database_url(tmp_path_factory)
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """Messages received by the local SMTP server."""

    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        """Messages whose To header is `address`."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message) -> str:
        """The plain-text part of a message."""
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="session")
def _smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def smtp(_smtp_server):
    """A real SMTP server on localhost; collects what the app sends during one test."""
    _, mailbox = _smtp_server
    with mailbox.lock:
        mailbox.messages.clear()
    return mailbox


def _wipe(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def app_config(db_url, _smtp_server):
    """Settings for the app under test; override a key with a test-local fixture."""
    controller, _ = _smtp_server
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-of-enough-length-0123456789",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


class SignpostClient(FlaskClient):
    """A test client that fills in the CSRF token the way a browser form would."""

    def open(self, *args, **kwargs):
        # The test's own transaction ends first (as a separate process's would), so it
        # holds no lock and reads fresh rows afterwards.
        if has_app_context():
            db.session.commit()
        # Each request gets its own app context, as in a real server: nothing in `g`
        # (such as the signed-in user) or in the session leaks between requests or tests.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self, page: str) -> str:
        """Fetch a page and return the CSRF token from its form."""
        response = self.get(page)
        assert response.status_code == 200, f"{page} answered {response.status_code}"
        return Page(response).csrf_token()

    def submit(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form to `url` with the token from `page` (default: `url` itself)."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or url))
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app(app_config):
    """A Signpost app on a clean database."""
    app = create_app(app_config)
    app.test_client_class = SignpostClient
    with app.app_context():
        yield app
        db.session.remove()
        _wipe(db.engine)
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs `flask` commands against the app."""
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.submit("/account/sign-in", {"email": email, "password": password})

    def logout(self):
        return self._client.submit("/account/sign-out", page="/account/password")


@pytest.fixture
def auth(client):
    """Sign-in helper bound to `client`."""
    return AuthActions(client)


@pytest.fixture
def user(app):
    """A learner."""
    return UserFactory()


@pytest.fixture
def course(app):
    """The small test course, imported."""
    from signpost.models import Course
    from tests.journey import import_fixture

    import_fixture()
    return db.session.scalar(select(Course).where(Course.slug == "starter"))


@pytest.fixture
def learner(client, auth):
    """A signed-in learner."""
    person = UserFactory()
    auth.login(person)
    return person


@pytest.fixture
def journey(client):
    """Drive the learning pages as the signed-in user."""
    from tests.journey import Journey

    return Journey(client)
