"""The form for recording training a person completed outside Signpost."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import DateField, EmailField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from signpost.external import MAX_EVIDENCE_BYTES, MAX_NOTE


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


class ApproveForm(FlaskForm):
    """Approving a record made by someone else: only the CSRF token."""


class RejectForm(FlaskForm):
    """Why a record of training done elsewhere is being rejected."""

    reason = TextAreaField(
        "Reason for rejecting",
        validators=[
            DataRequired("Give a reason for rejecting the record"),
            Length(max=MAX_NOTE),
        ],
    )
