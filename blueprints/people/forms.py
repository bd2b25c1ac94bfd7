"""Forms for people, agencies, teams, imports and erasure."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from signpost.models import AGENCY_KIND_LABELS, ROLE_LABELS, Role

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes, grouped by the template in a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _none_to_zero(value):
    return int(value) if value not in (None, "", "None") else 0


class PersonForm(FlaskForm):
    """A person's details, agency, team and roles."""

    name = StringField(
        "Full name",
        validators=[DataRequired("Enter the person's full name"), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter the person's email address"),
            Email(EMAIL_MESSAGE),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    job_title = StringField("Job title (optional)", validators=[Length(max=200)])
    agency = SelectField(
        "Agency", coerce=int, validators=[DataRequired("Choose an agency from the list")]
    )
    team = SelectField("Team (optional)", coerce=_none_to_zero)
    roles = CheckboxesField("Roles", validators=[InputRequired("Choose at least one role")])

    def set_choices(self, agencies, roles) -> None:
        """Offer only the agencies and roles the signed-in user may give."""
        self.agency.choices = [SelectChoice(a.id, a.name) for a in agencies]
        # With several agencies each team is named with its agency, so the choice is clear.
        several = len(agencies) > 1
        self.team.choices = [SelectChoice(0, "No team")] + [
            SelectChoice(t.id, f"{a.name}: {t.name}" if several else t.name)
            for a in agencies
            for t in a.teams
        ]
        self.roles.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role if r in roles]


class SearchForm(FlaskForm):
    """Filters for the people list, sent by GET."""

    class Meta:
        csrf = False  # a search changes nothing

    q = StringField("Name or email", validators=[Length(max=200)])
    agency = SelectField("Agency", coerce=_none_to_zero)
    role = SelectField("Role")
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("active", "Active"),
            SelectChoice("deactivated", "Deactivated"),
            SelectChoice("erased", "Erased"),
            SelectChoice("all", "Everyone"),
        ],
        default="active",
    )

    def set_choices(self, agencies) -> None:
        """Agencies to filter by (admins only see the choice)."""
        self.agency.choices = [SelectChoice(0, "All agencies")] + [
            SelectChoice(a.id, a.name) for a in agencies
        ]
        self.role.choices = [SelectChoice("", "Any role")] + [
            SelectChoice(r.value, ROLE_LABELS[r]) for r in Role
        ]


class ImportForm(FlaskForm):
    """The CSV file of people to import."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload")])


class ConfirmImportForm(FlaskForm):
    """The checked file, signed, carried from the preview to the confirmation."""

    payload = HiddenField(validators=[DataRequired("Upload the file again")])


class AgencyForm(FlaskForm):
    """An agency's name and sector."""

    name = StringField(
        "Agency name", validators=[DataRequired("Enter the agency's name"), Length(max=200)]
    )
    kind = SelectField(
        "Sector", choices=[SelectChoice(k.value, label) for k, label in AGENCY_KIND_LABELS.items()]
    )


class TeamForm(FlaskForm):
    """A team's name."""

    name = StringField(
        "Team name", validators=[DataRequired("Enter the team's name"), Length(max=200)]
    )


class EraseForm(FlaskForm):
    """Confirmation before removing a person's details for good."""

    confirm = BooleanField(
        "I understand that this removes the person's name and email for good",
        validators=[DataRequired("Tick the box to confirm the erasure")],
    )
