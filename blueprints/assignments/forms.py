"""The form for an assignment rule."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from signpost.assignments import MAX_DUE_DAYS


def _id_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not a real id: the domain check refuses it with a clear message


class RuleForm(FlaskForm):
    """Who must take which course, and by when."""

    course = SelectField("Course", coerce=int)
    # Agency and team choices are checked by the domain (scope first, then existence), so
    # that a lead who sends another agency's id is refused rather than told "not a choice".
    agency = SelectField("Agency", coerce=_id_or_none, validate_choice=False)
    team = SelectField("Team", coerce=_id_or_none, validate_choice=False)
    role = SelectField("Role", validate_choice=True)
    due_days = IntegerField(
        "Number of days after they are assigned",
        validators=[
            Optional(),
            NumberRange(1, MAX_DUE_DAYS, f"Enter a number of days from 1 to {MAX_DUE_DAYS}"),
        ],
        render_kw={"inputmode": "numeric"},
    )
    due_date = DateField("Or a fixed date", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Exactly one of the number of days and the fixed date."""
        ok = super().validate(extra_validators)
        if ok and (self.due_days.data is None) == (self.due_date.data is None):
            self.due_days.errors.append(
                "Give either a number of days or a fixed date, not both"
                if self.due_days.data is not None
                else "Give a number of days or a fixed date"
            )
            return False
        return ok
