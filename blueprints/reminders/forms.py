"""The unsubscribe confirmation."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button, protected against cross-site requests."""
