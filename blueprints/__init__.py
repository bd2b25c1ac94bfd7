"""Web layer: one package per feature, plus the hooks every request passes through."""

from flask import Flask

from blueprints import navigation, request_log, security
from blueprints.access import register_login


def register(app: Flask) -> None:
    """Register every blueprint and request hook on the app."""
    from blueprints.admin.routes import bp as admin_bp
    from blueprints.auth.routes import bp as auth_bp
    from blueprints.main.routes import bp as main_bp

    register_login(app)
    security.register(app)
    navigation.register(app)
    request_log.register(app)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/account")
    app.register_blueprint(admin_bp, url_prefix="/admin")
