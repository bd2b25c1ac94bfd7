"""Configuration from the environment, and refusing unsafe production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from signpost.config import from_environment, normalise_database_url
from signpost.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_development_defaults(tmp_path):
    config = from_environment(str(tmp_path), environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/signpost.sqlite3"
    assert config["SIGNPOST_ENV"] == "development"
    assert config["REDIS_URL"] is None
    assert config["SESSION_COOKIE_SECURE"] is False


def test_environment_is_read(tmp_path):
    config = from_environment(
        str(tmp_path),
        environ={
            "DATABASE_URL": "postgres://u@db/signpost",
            "REDIS_URL": "redis://cache:6379/0",
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "587",
            "MAIL_USE_TLS": "true",
            "SIGNPOST_ENV": "production",
            "SECRET_KEY": "x" * 40,
        },
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/signpost"
    assert config["REDIS_URL"] == "redis://cache:6379/0"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.org",
        587,
        True,
    )
    assert config["SESSION_COOKIE_SECURE"] is True


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize("secret", [None, "short", "dev-only-not-secret"])
def test_production_refuses_to_start_without_a_real_secret(app_config, secret):
    config = {**app_config, "SIGNPOST_ENV": "production", "SECRET_KEY": secret}
    with pytest.raises(SystemExit) as stopped:
        create_app(config)
    assert "SECRET_KEY" in str(stopped.value)


def _start_up_errors(tmp_path, drop: tuple[str, ...] = (), **settings) -> list[str]:
    """Start the app from the command line with these settings; its exit code is 1."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", *drop)}
    env.update(settings, DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_production_refusal_is_one_line_on_the_command_line(tmp_path):
    lines = _start_up_errors(tmp_path, drop=("SECRET_KEY",), SIGNPOST_ENV="production")
    assert lines == [lines[0]] and "SECRET_KEY" in lines[0]


def test_sqlite_uses_wal_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_nothing_runs_at_import_time(tmp_path):
    """Importing reads no settings and touches no database; only create_app does."""
    target = tmp_path / "should-not-exist.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(SIGNPOST_ENV="production", DATABASE_URL=f"sqlite:///{target}")
    code = "import app, blueprints, signpost.models, signpost.accounts; print('imported')"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported", result.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CERTIFICATE_EXPIRING_DAYS", "sixty"),
        ("CERTIFICATE_EXPIRING_DAYS", "0"),
        ("CERTIFICATE_EXPIRING_DAYS", "²"),
        ("RETENTION_DAYS", "-5"),
        ("MAIL_PORT", "99999"),
        ("MAIL_USE_TLS", "maybe"),
        ("BASE_URL", "ftp://example.org"),
        ("LOG_LEVEL", "LOUD"),
        ("SIGNPOST_ENV", "staging"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(tmp_path, name, value):
    lines = _start_up_errors(tmp_path, **{name: value})
    assert len(lines) == 1 and name in lines[0], lines


def test_settings_given_in_code_are_checked_the_same_way(app_config):
    with pytest.raises(SystemExit) as stopped:
        create_app({**app_config, "CERTIFICATE_EXPIRING_DAYS": 0})
    assert "CERTIFICATE_EXPIRING_DAYS" in str(stopped.value)
    app = create_app({**app_config, "CERTIFICATE_EXPIRING_DAYS": "30"})
    assert app.config["CERTIFICATE_EXPIRING_DAYS"] == 30


def test_every_setting_the_readme_lists_is_read_by_the_loader():
    from signpost.config import SETTINGS

    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name


def test_development_makes_a_private_secret_once_and_keeps_it(tmp_path):
    from signpost.config import instance_secret

    first = instance_secret(str(tmp_path / "instance"))
    key_file = tmp_path / "instance" / "secret_key"
    assert len(first) >= 64 and key_file.stat().st_mode & 0o777 == 0o600
    assert instance_secret(str(tmp_path / "instance")) == first  # reused on every start


def test_an_app_started_without_a_secret_uses_the_instance_one(app_config):
    config = {k: v for k, v in app_config.items() if k != "SECRET_KEY"}
    app = create_app(config)
    key_file = Path(app.instance_path) / "secret_key"
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert app.config["SECRET_KEY"] not in ("", "dev-only-not-secret")


@pytest.mark.parametrize("mode", ["development", "production"])
def test_the_published_placeholder_is_refused_in_every_mode(app_config, mode):
    with pytest.raises(SystemExit) as stopped:
        create_app({**app_config, "SIGNPOST_ENV": mode, "SECRET_KEY": "dev-only-not-secret"})
    assert "SECRET_KEY" in str(stopped.value) and "placeholder" in str(stopped.value)


def test_cookies_are_secure_whenever_the_site_is_served_over_https(tmp_path):
    config = from_environment(str(tmp_path), environ={"BASE_URL": "https://signpost.example"})
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    plain = from_environment(str(tmp_path), environ={"BASE_URL": "http://127.0.0.1:5000"})
    assert plain["SESSION_COOKIE_SECURE"] is False


def test_the_gunicorn_settings_hide_the_server_version():
    result = subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('gunicorn.conf.py');"
         "import gunicorn.http.wsgi as w; print(w.SERVER)"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "gunicorn" not in result.stdout.lower() and result.stdout.strip() == "Signpost"
