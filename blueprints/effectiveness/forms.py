"""The effectiveness page's filter form (sent by GET)."""

from wtforms import SelectField

from blueprints.filters import DateRangeForm, optional_int


class EffectivenessFilterForm(DateRangeForm):
    """Narrow the effectiveness figures down."""

    course = SelectField("Course", coerce=optional_int, validate_choice=False)
    agency = SelectField("Agency", coerce=optional_int, validate_choice=False)
