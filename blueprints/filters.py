"""Pieces shared by the filter forms that pages send by GET: dates, agencies, numbers."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from signpost.extensions import db
from signpost.models import Agency


def optional_int(value):
    """A select's value as an id, or None for 'all'."""
    return int(value) if value not in (None, "", "None") else None


class DayField(DateField):
    """A date typed or picked as YYYY-MM-DD, with a message people understand."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, for example 2026-03-05") from None


class DateRangeForm(FlaskForm):
    """A from-to date range (both optional) for a look-up that changes nothing."""

    class Meta:
        csrf = False  # sent by GET, so that every view has a shareable address

    date_from = DayField("From", validators=[Optional()])
    date_to = DayField("To (inclusive)", validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")


def agency_choices(label: str) -> list[tuple[str, str]]:
    """Every agency by name, after a first choice meaning 'all'."""
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    return [("", label)] + [(str(a.id), a.name) for a in agencies]
