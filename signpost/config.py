"""Configuration read from the environment, with safe development defaults."""

import os
from pathlib import Path

DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - a marker, refused in production


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says why in one line."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def sqlite_url(instance_path: str) -> str:
    """The default database: a SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "signpost.sqlite3")


def normalise_database_url(url: str) -> str:
    """Accept the common postgres:// spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str, environ: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if environ is None else environ
    signpost_env = env.get("SIGNPOST_ENV", "development").strip().lower()
    production = signpost_env == "production"
    database_url = normalise_database_url(env.get("DATABASE_URL") or sqlite_url(instance_path))
    config = {
        "SIGNPOST_ENV": signpost_env,
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_SENDER": env.get("MAIL_SENDER") or "Signpost <no-reply@signpost.invalid>",
        "BASE_URL": (env.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "LOG_LEVEL": env.get("LOG_LEVEL") or "INFO",
        "CERTIFICATE_EXPIRING_DAYS": int(env.get("CERTIFICATE_EXPIRING_DAYS") or 60),
    }
    return config


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "PASSWORD_MIN_LENGTH": 12,
    "PASSWORD_RESET_HOURS": 2,
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "RATELIMIT_HEADERS_ENABLED": True,
}


def check(config: dict) -> None:
    """Refuse settings that are unsafe for production."""
    if config.get("SIGNPOST_ENV") == "production":
        secret = config.get("SECRET_KEY") or ""
        if secret == DEV_SECRET or len(secret) < 32:
            raise ConfigError(
                "SIGNPOST_ENV=production needs SECRET_KEY set to a random value of at least "
                '32 characters (python -c "import secrets; print(secrets.token_hex(32))").'
            )
