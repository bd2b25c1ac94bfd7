"""Web layer: one package per feature, plus the hooks every request passes through."""

from importlib import import_module
from importlib.util import find_spec

from flask import Flask

from blueprints import converters, input_guard, moved, navigation, request_log, security
from blueprints.access import register_login

# (package, URL prefix). A feature's routes.py defines `bp`; its commands.py, if any,
# defines register(app) for its `flask` commands.
FEATURES = [
    ("main", None),
    ("accounts", "/account"),
    ("site_settings", "/admin"),
    ("local_details", "/admin"),
    ("learn", "/learn"),
    ("confidence", "/learn"),
    ("certificates", None),
    ("people", "/admin"),
    ("assignments", "/assignments"),
    ("reminders", "/reminders"),
    ("face_to_face", "/face-to-face"),
    ("external", "/external"),
    ("reports", "/reports"),
    ("effectiveness", "/admin"),
    ("content_review", "/admin"),
    ("audit", "/admin"),
    ("privacy", "/account"),
    ("content", None),
    ("demo", None),
]


def _has(package: str, module: str) -> bool:
    return find_spec(f"blueprints.{package}.{module}") is not None


def register(app: Flask) -> None:
    """Register every blueprint and request hook on the app."""
    converters.register(app)
    input_guard.register(app)
    register_login(app)
    security.register(app)
    navigation.register(app)
    request_log.register(app)
    for package, prefix in FEATURES:
        if _has(package, "routes"):
            blueprint = import_module(f"blueprints.{package}.routes").bp
            app.register_blueprint(blueprint, url_prefix=prefix)
    app.register_blueprint(moved.bp)


def register_commands(app: Flask) -> None:
    """Add each feature's `flask` commands."""
    for package, _ in FEATURES:
        if _has(package, "commands"):
            import_module(f"blueprints.{package}.commands").register(app)
