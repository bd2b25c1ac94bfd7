"""The audit log's filter form (sent by GET)."""

from wtforms import SelectField, StringField
from wtforms.validators import Length

from blueprints.filters import DateRangeForm, optional_int
from signpost import audit


class AuditFilterForm(DateRangeForm):
    """Narrow the audit log down."""

    action = SelectField("Action", validate_choice=False)
    actor_email = StringField("Who (email address or part of it)", validators=[Length(max=254)])
    agency = SelectField("Agency", coerce=optional_int, validate_choice=False)
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
