"""Showing a domain error on the form that caused it."""

from collections.abc import Mapping

from flask import flash
from flask_wtf import FlaskForm

from signpost.errors import DomainError

# Domain details named differently from the form fields that carry them.
COMMON_FIELDS = {
    "agency_id": "agency",
    "team_id": "team",
    "course_id": "course",
    "current_password": "current",
}


def show_error(form: FlaskForm, error: DomainError, fields: Mapping[str, str] = COMMON_FIELDS):
    """Put the message against the field it is about, or at the top of the page."""
    name = fields.get(error.about, error.about) if error.about else None
    field = form._fields.get(name) if name else None
    if field is None:
        flash(str(error), "error")
    else:
        field.errors = [*field.errors, str(error)]
