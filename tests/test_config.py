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


def test_production_refusal_is_one_line_on_the_command_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(SIGNPOST_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


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
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({name: value, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in result.stderr, lines


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
