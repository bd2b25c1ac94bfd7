"""Forms for site administration."""

from flask_wtf import FlaskForm
from wtforms import BooleanField


class SiteSettingsForm(FlaskForm):
    """Switches an admin can change."""

    self_registration = BooleanField("Allow people to create their own learner accounts")
