"""Signpost application factory: config -> extensions -> blueprints -> CLI -> errors."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from blueprints.unit_of_work import dispatch
from signpost import config as settings
from signpost.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent


class Signpost(Flask):
    """Flask, with each request's view run as one unit of work."""

    def dispatch_request(self):
        return dispatch(self, super().dispatch_request)


def create_app(config: dict | None = None) -> Flask:
    """Build a Signpost app; `config` overrides what the environment says."""
    app = Signpost(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


def configure(app: Flask, overrides: dict | None) -> None:
    """Defaults, then environment, then explicit overrides; refuse unsafe production config."""
    try:
        app.config.update(settings.DEFAULTS)
        app.config.update(settings.from_environment(app.instance_path))
        if overrides:
            app.config.update(overrides)
        if not app.config.get("SECRET_KEY") and app.config["SIGNPOST_ENV"] == "development":
            app.config["SECRET_KEY"] = settings.instance_secret(app.instance_path)
        settings.check(app.config)
    except settings.ConfigError as error:
        # One line, no traceback: this is a deployment mistake, not a bug.
        raise SystemExit(f"Signpost will not start: {error}") from None
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["TRUSTED_PROXIES"]:
        # Behind N load balancers, the address a visitor came from is N hops back in
        # X-Forwarded-For; the limiter and the audit log both read it from here.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _tune_sqlite(db.engine)
    from signpost import certificates
    from signpost.reports import records

    certificates.subscribe()  # completing a course issues its certificate
    records.install()  # board report records change in the same transaction as their causes


def _tune_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Take the write lock up front: concurrent writers then wait for each other
        # (busy_timeout) instead of failing when a read lock cannot be upgraded.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint and the cross-cutting request hooks."""
    from blueprints import register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the `flask` CLI commands, each from its feature."""
    from blueprints import register_commands as register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    """Friendly pages for 400, 403, 404, 429 and 500."""
    from blueprints.errors import register

    register(app)
