"""The main navigation, filtered by the signed-in user's roles."""

from flask import Flask, request, url_for
from flask_login import current_user

from signpost.models import Role

# (endpoint, label, roles that see it; empty means everyone signed in)
MAIN_NAV = [
    ("main.home", "Home", ()),
    ("learn.index", "My learning", (Role.LEARNER,)),
    ("certificates.mine", "Certificates", (Role.LEARNER,)),
    ("face_to_face.index", "Face-to-face", ()),
    ("people.index", "People", (Role.ADMIN, Role.AGENCY_LEAD)),
    ("assignments.index", "Assignments", (Role.ADMIN, Role.AGENCY_LEAD)),
    ("reports.dashboard", "Reports", (Role.ADMIN, Role.AGENCY_LEAD, Role.AUDITOR)),
    ("content_review.index", "Content review", (Role.ADMIN, Role.TRAINER)),
    ("audit.index", "Audit log", (Role.ADMIN,)),
    ("certificates.manage", "Certificates admin", (Role.ADMIN,)),
    ("local_details.edit", "Local details", (Role.ADMIN, Role.AGENCY_LEAD)),
    ("site_settings.edit", "Settings", (Role.ADMIN,)),
    ("privacy.my_data_page", "My data", ()),
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
