"""Security headers, the accessible layout, error pages and the health check."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from signpost.extensions import db
from signpost.models import AuditEvent
from tests.html import Page

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/account/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(app, client, auth, user):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = auth.login(user)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_signed_in_pages_are_not_cached(client, auth, user):
    auth.login(user)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_style_or_external_assets():
    for path in list(ROOT.glob("templates/**/*.html")) + list(ROOT.glob("blueprints/**/*.html")):
        if "/email/" in str(path):
            continue
        source = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), path
        assert " style=" not in source and "<style" not in source, path
        assert not re.search(r"""(src|href)=["']https?://""", source), path
        assert not re.search(r"\son[a-z]+=", source), path
    css = (ROOT / "static/css/site.css").read_text()
    assert "http://" not in css and "https://" not in css and "@import" not in css


def test_base_layout_landmarks_and_skip_link(client):
    page = Page(client.get("/account/sign-in"))
    assert page.select_one("html")["lang"] == "en-GB"
    assert page.select("a.skip-link")[0] is page.select("body a")[0]  # the first link
    assert page.select_one("a.skip-link")["href"] == "#main"
    assert page.select_one("#main").name == "main"
    assert page.select("header") and page.select("footer")
    for field in ("email", "password"):
        assert page.select(f'label[for="{field}"]') and page.select(f'input[id="{field}"]')
    assert page.select('meta[name="viewport"]')


def test_error_summary_links_each_error_to_its_field(client):
    page = Page(client.submit("/account/sign-in", {"email": "", "password": ""}))
    assert "There is a problem" in page.text(".error-summary")
    assert page.error_summary() == [
        ("#email", "Enter your email address"),
        ("#password", "Enter your password"),
    ]
    email = page.select_one("input#email")
    assert email["aria-describedby"] == "email-error" and email["aria-invalid"] == "true"
    assert "Enter your email address" in page.text("#email-error")


@pytest.mark.parametrize("code, text", [(404, "Page not found"), (405, "not allowed")])
def test_error_pages(client, code, text):
    response = client.get("/no-such-page") if code == 404 else client.get("/account/sign-out")
    assert response.status_code == code
    page = Page(response)
    assert text in page.text()
    assert page.select("a.skip-link")


def test_500_page_hides_the_error_and_gives_a_reference(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in body and "secret internals" not in body
    assert response.headers["X-Request-ID"] in body


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(app_config, tmp_path):
    from app import create_app

    broken = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_requests_are_logged_as_json(app, client, caplog):
    caplog.set_level("INFO", logger="signpost.request")
    client.get("/healthz", headers={"X-Request-ID": "abc123"})
    record = next(r for r in caplog.records if r.name == "signpost.request")
    assert (record.method, record.path, record.status, record.request_id) == (
        "GET",
        "/healthz",
        200,
        "abc123",
    )
    import json

    from blueprints.request_log import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert line["status"] == 200 and line["path"] == "/healthz"


def test_failed_sign_in_is_audited_with_the_address(client, auth, user):
    auth.login(user, "wrong")
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.actor_id, event.ip) == ("sign_in_failed", user.id, "127.0.0.1")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
