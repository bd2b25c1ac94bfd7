"""Forms for scheduling face-to-face sessions, and the course-or-module choice."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.converters import as_id
from signpost import catalogue
from signpost.extensions import db
from signpost.face_to_face import MAX_CAPACITY
from signpost.models import Module

WHEN_FORMAT = "%Y-%m-%dT%H:%M"


def subject_choices() -> list[tuple[str, str]]:
    """Active courses, then active modules, after a blank first choice."""
    modules = db.session.scalars(
        select(Module).where(Module.active.is_(True)).order_by(Module.slug)
    )
    return (
        [("", "Choose a course or module")]
        + [(f"course:{c.id}", f"Course: {c.title}") for c in catalogue.active_courses()]
        + [(f"module:{m.id}", f"Module: {catalogue.subject_title(m)}") for m in modules]
    )


def parse_subject(value: str | None) -> tuple[int | None, int | None]:
    """'course:3' -> (3, None); 'module:5' -> (None, 5); anything else -> (None, None)."""
    kind, _, text = (value or "").partition(":")
    ident = as_id(text)
    if ident is None:
        return None, None
    if kind == "course":
        return ident, None
    return (None, ident) if kind == "module" else (None, None)


class ScheduleForm(FlaskForm):
    """A face-to-face session for a course or a module."""

    subject = SelectField(
        "Course or module", validators=[DataRequired("Choose the course or module it covers")]
    )
    title = StringField("Title", validators=[Optional(), Length(max=300)])
    agency = SelectField("Who can book", choices=[])
    starts_at = DateTimeLocalField(
        "Starts",
        format=WHEN_FORMAT,
        validators=[DataRequired("Enter when the session starts, for example 2026-03-04 09:30")],
    )
    ends_at = DateTimeLocalField(
        "Ends",
        format=WHEN_FORMAT,
        validators=[DataRequired("Enter when the session ends, for example 2026-03-04 12:30")],
    )
    place = StringField(
        "Place", validators=[DataRequired("Enter where the session takes place"), Length(max=300)]
    )
    capacity = IntegerField(
        "Places",
        validators=[
            InputRequired("Enter how many people can attend, as a whole number"),
            NumberRange(1, MAX_CAPACITY, f"Places must be between 1 and {MAX_CAPACITY}"),
        ],
    )
    notes = TextAreaField("Notes for people booking", validators=[Optional(), Length(max=2000)])
