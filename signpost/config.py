"""Every setting: read from the environment and checked here, once, at start-up.

A setting that cannot be used stops start-up with one line naming it. Code elsewhere
reads the checked value from the app config (or, in the domain, through the
accessors at the end of this module); nothing else parses the environment.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# Once published as the development default; refused in every mode, so that a server
# started from old instructions cannot run with a key anyone could read.
PUBLISHED_SECRETS = frozenset({"dev-only-not-secret"})
SECRET_FILE = "secret_key"  # noqa: S105 - a file name: the key made on first start in development
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says why in one line."""


# Each parser takes the variable's name and a value (text from the environment, or a typed
# value given to create_app) and returns the checked value or raises ConfigError.


def _text(name: str, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be text, not {value!r}.")
    return value.strip()


def _boolean(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def _whole(low: int, high: int) -> Callable[[str, str], int]:
    def parse(name: str, value) -> int:
        if isinstance(value, bool):
            raise ConfigError(f"{name} must be a whole number, not {value!r}.")
        text = str(value).strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise ConfigError(f"{name} must be a whole number, not {value!r}.")
        number = int(text)
        if not low <= number <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, not {number}.")
        return number

    return parse


def _url(name: str, value) -> str:
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http:// or https:// address, not {value!r}.")
    return str(value).strip().rstrip("/")


def _log_level(name: str, value) -> str:
    level = str(value).strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)}, not {value!r}.")
    return level


def _environment(name: str, value) -> str:
    mode = str(value).strip().lower()
    if mode not in ("development", "production"):
        raise ConfigError(f"{name} must be development or production, not {value!r}.")
    return mode


@dataclass(frozen=True)
class Setting:
    """One environment variable: its config key, parser and default."""

    name: str
    parse: Callable[[str, object], object]
    default: object = None
    key: str | None = None  # the config key, when it differs from the variable's name


SETTINGS = (
    Setting("SIGNPOST_ENV", _environment, "development"),
    Setting("SECRET_KEY", _text),
    Setting("DATABASE_URL", _text, None, key="SQLALCHEMY_DATABASE_URI"),
    Setting("REDIS_URL", _text),
    Setting("MAIL_SERVER", _text),
    Setting("MAIL_PORT", _whole(1, 65535), 25),
    Setting("MAIL_USERNAME", _text),
    Setting("MAIL_PASSWORD", _text),
    Setting("MAIL_USE_TLS", _boolean, False),
    Setting("MAIL_SENDER", _text, "Signpost <no-reply@signpost.invalid>"),
    Setting("BASE_URL", _url, "http://127.0.0.1:5000"),
    Setting("SESSION_COOKIE_SECURE", _boolean, None),  # None: on in production
    Setting("LOG_LEVEL", _log_level, "INFO"),
    Setting("CERTIFICATE_EXPIRING_DAYS", _whole(1, 365), 60),
    Setting("TRUSTED_PROXIES", _whole(0, 5), 0),
    Setting("RETENTION_DAYS", _whole(0, 36500), 0),
)


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
    """Build the Flask config mapping from environment variables, checking each one."""
    env = os.environ if environ is None else environ
    config = {}
    for setting in SETTINGS:
        raw = (env.get(setting.name) or "").strip()
        config[setting.key or setting.name] = (
            setting.parse(setting.name, raw) if raw else setting.default
        )
    production = config["SIGNPOST_ENV"] == "production"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        config["SQLALCHEMY_DATABASE_URI"] or sqlite_url(instance_path)
    )
    if config["SESSION_COOKIE_SECURE"] is None:
        # Over https, cookies must never travel in the clear, whatever the mode.
        config["SESSION_COOKIE_SECURE"] = production or config["BASE_URL"].startswith("https:")
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
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
    """Refuse settings that cannot be used, whether they came from the environment or code."""
    for setting in SETTINGS:
        key = setting.key or setting.name
        if config.get(key) is not None:
            config[key] = setting.parse(setting.name, config[key])
    secret = config.get("SECRET_KEY") or ""
    if secret in PUBLISHED_SECRETS:
        raise ConfigError("SECRET_KEY is a published placeholder: set a random value of your own.")
    if config.get("SIGNPOST_ENV") == "production" and len(secret) < 32:
        raise ConfigError(
            "SIGNPOST_ENV=production needs SECRET_KEY set to a random value of at least "
            '32 characters (python -c "import secrets; print(secrets.token_hex(32))").'
        )


def instance_secret(instance_path: str) -> str:
    """The development secret kept in the instance folder, made (mode 0600) on first start."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        # O_EXCL: of several processes starting at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text().strip()
        if len(secret) < 32:
            raise ConfigError(
                f"{path} does not hold a usable key: delete it to make a new one."
            ) from None
        return secret
    secret = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret


def expiring_days() -> int:
    """Days before expiry that a certificate counts as expiring soon and renewal opens."""
    from flask import current_app  # read at call time: no settings are read at import

    return current_app.config["CERTIFICATE_EXPIRING_DAYS"]


def retention_days() -> int:
    """Days without sign-in after which a person's details are erased (0: never)."""
    from flask import current_app

    return current_app.config["RETENTION_DAYS"]
