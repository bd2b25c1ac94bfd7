"""The main navigation, filtered by the signed-in user's roles."""

from flask import Flask, request, url_for
from flask_login import current_user

from signpost.models import Role

# (endpoint, label, roles that see it; empty means everyone signed in)
MAIN_NAV = [
    ("main.home", "Home", ()),
    ("admin.settings", "Settings", (Role.ADMIN,)),
]


def register(app: Flask) -> None:
    """Expose main_nav() to templates."""

    @app.context_processor
    def navigation():
        def main_nav():
            items = []
            for endpoint, label, roles in MAIN_NAV:
                if endpoint not in app.view_functions:
                    continue
                if roles and not current_user.has_role(*roles):
                    continue
                items.append(
                    {
                        "url": url_for(endpoint),
                        "label": label,
                        "current": request.endpoint == endpoint,
                    }
                )
            return items

        return {"main_nav": main_nav}
