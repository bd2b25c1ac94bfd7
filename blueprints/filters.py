"""Pieces shared by the filter forms that pages send by GET: dates, agencies, numbers."""

import datetime as dt

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from blueprints.converters import as_id
from signpost.extensions import db
from signpost.models import Agency, utcnow


def optional_int(value):
    """A select's value as an id, or None for 'all'; anything else is a ValueError."""
    if value in (None, "", "None"):
        return None
    number = as_id(str(value))
    if number is None:
        raise ValueError(f"not an id: {value!r}")
    return number


# The dates a filter accepts: far enough apart for any real range, and far enough from
# the calendar's ends that a day or a year either side is still a date.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class DayField(DateField):
    """A date typed or picked as YYYY-MM-DD, with a message people understand."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, for example 2026-03-05") from None
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            self.data = None
            raise ValueError(f"Enter a date between {EARLIEST.year} and {LATEST.year}")


class DateRangeForm(FlaskForm):
    """A from-to date range (both optional) for a look-up that changes nothing."""

    class Meta:
        csrf = False  # sent by GET, so that every view has a shareable address

    max_months: int | None = None  # the longest range a page allows, if it limits it

    date_from = DayField(
        "From", validators=[Optional()], render_kw={"type": "date"},
        description="The first day of the date range, for example 2025-04-01.",
    )  # fmt: skip
    date_to = DayField(
        "To", validators=[Optional()], render_kw={"type": "date"},
        description="The last day of the date range, included.",
    )  # fmt: skip

    def validate_date_from(self, field):
        if field.data is not None and self.date_to.data is None and self.max_months:
            # With no end date the range runs to today.
            self._check_range(
                field.data, utcnow().date(), "The start of the date range cannot be after today"
            )

    def validate_date_to(self, field):
        if field.data is not None and self.date_from.data is not None:
            self._check_range(
                self.date_from.data, field.data, "The date range must end on or after its start"
            )

    def _check_range(self, start, end, backwards: str) -> None:
        if end < start:
            raise ValidationError(backwards)
        months = (end.year - start.year) * 12 + end.month - start.month
        if self.max_months and months >= self.max_months:
            raise ValidationError(f"Choose a date range of {self.max_months // 12} years or less")


def agency_choices(label: str) -> list[tuple[str, str]]:
    """Every agency by name, after a first choice meaning 'all'."""
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    return [("", label)] + [(str(a.id), a.name) for a in agencies]
