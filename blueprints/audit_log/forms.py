"""Filter forms for the audit log and the effectiveness figures (sent by GET)."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from signpost import audit


class DayField(DateField):
    """A date typed or picked as YYYY-MM-DD, with a message people understand."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, for example 2026-03-05") from None


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class _DateRangeForm(FlaskForm):
    class Meta:
        csrf = False  # a look-up that changes nothing; it is sent by GET

    date_from = DayField("From", validators=[Optional()])
    date_to = DayField("To (inclusive)", validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")


class AuditFilterForm(_DateRangeForm):
    """Narrow the audit log down."""

    action = SelectField("Action", validate_choice=False)
    actor_email = StringField("Who (email address or part of it)", validators=[Length(max=254)])
    agency = SelectField("Agency", coerce=_optional_int, validate_choice=False)
    target_type = SelectField("Target type", validate_choice=False)

    def filters(self) -> audit.Filters:
        """The chosen filters for the domain query."""
        return audit.Filters(
            action=self.action.data or None,
            actor_email=(self.actor_email.data or "").strip() or None,
            agency_id=self.agency.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            target_type=self.target_type.data or None,
        )


class EffectivenessFilterForm(_DateRangeForm):
    """Narrow the effectiveness figures down."""

    course = SelectField("Course", coerce=_optional_int, validate_choice=False)
    agency = SelectField("Agency", coerce=_optional_int, validate_choice=False)
