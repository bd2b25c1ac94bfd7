"""Forms for scheduling sessions and recording training done elsewhere."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from signpost.external import MAX_EVIDENCE_BYTES, MAX_NOTE
from signpost.face_to_face import MAX_CAPACITY

WHEN_FORMAT = "%Y-%m-%dT%H:%M"


def parse_subject(value: str | None) -> tuple[int | None, int | None]:
    """'course:3' -> (3, None); 'module:5' -> (None, 5); anything else -> (None, None)."""
    kind, _, ident = (value or "").partition(":")
    if not ident.isdigit():
        return None, None
    return (
        (int(ident), None)
        if kind == "course"
        else (None, int(ident))
        if kind == "module"
        else (None, None)
    )


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


class ExternalForm(FlaskForm):
    """Training a person completed outside Signpost, with evidence."""

    email = EmailField(
        "Person's email address",
        validators=[DataRequired("Enter the email address of the person who did the training")],
    )
    subject = SelectField(
        "Course or module completed",
        validators=[DataRequired("Choose the course or module they completed")],
    )
    completed_on = DateField(
        "Date completed",
        validators=[DataRequired("Enter the date they completed it, for example 2026-03-04")],
    )
    note = TextAreaField(
        "Note",
        validators=[
            DataRequired("Add a note: where and how the training was done"),
            Length(max=MAX_NOTE),
        ],
    )
    evidence = FileField(
        "Evidence",
        validators=[
            FileRequired("Choose the evidence file to upload"),
            FileAllowed(
                ["pdf", "png", "jpg", "jpeg"], "The evidence must be a PDF, PNG or JPEG file"
            ),
            FileSize(MAX_EVIDENCE_BYTES, message="The evidence file must be 5 MB or smaller"),
        ],
        render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"},
    )
