"""Web layer: one package per feature, plus the hooks every request passes through."""

from importlib import import_module

from flask import Flask

from blueprints import navigation, request_log, security
from blueprints.access import register_login

# (package, URL prefix); each package's routes.py defines `bp`.
FEATURES = [
    ("main", None),
    ("auth", "/account"),
    ("admin", "/admin"),
    ("learn", "/learn"),
    ("certificates", None),
    ("people", "/admin"),
    ("assignments", "/assignments"),
    ("sessions", "/sessions"),
    ("reports", "/reports"),
    ("audit_log", "/admin"),
    ("confidence", "/learn"),
    ("privacy", "/account"),
]


def register(app: Flask) -> None:
    """Register every blueprint and request hook on the app."""
    from blueprints.assets import bp as assets_bp

    register_login(app)
    security.register(app)
    navigation.register(app)
    request_log.register(app)
    for package, prefix in FEATURES:
        blueprint = import_module(f"blueprints.{package}.routes").bp
        app.register_blueprint(blueprint, url_prefix=prefix)
    app.register_blueprint(assets_bp)
