"""The dashboard's filter form, sent by GET so that every view has a shareable address."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from signpost.extensions import db
from signpost.models import ROLE_LABELS, Agency, Course, Role, Team, utcnow
from signpost.reports.filters import MAX_RANGE_MONTHS, Filters


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _optional_role(value):
    return Role(value) if value not in (None, "", "None") else None


class ChoiceField(SelectField):
    """A select whose wrong value gets a message saying what to do."""

    def __init__(self, *args, invalid: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid) from None

    def pre_validate(self, form):
        if not any(match for _, _, match, *_ in self.iter_choices()):
            raise ValidationError(self.invalid)


class FilterForm(FlaskForm):
    """Narrow the report; every field may be left as 'all'."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    agency = ChoiceField("Agency", coerce=_optional_int, invalid="Choose an agency from the list")
    team = ChoiceField("Team", coerce=_optional_int, invalid="Choose a team from the list")
    course = ChoiceField("Course", coerce=_optional_int, invalid="Choose a course from the list")
    level = ChoiceField("Level", coerce=_optional_int, invalid="Choose a level from the list")
    role = ChoiceField("Role", coerce=_optional_role, invalid="Choose a role from the list")
    date_from = DateField(
        "From", validators=[Optional()], render_kw={"type": "date"},
        description="The first day of the date range, for example 2025-04-01.",
    )  # fmt: skip
    date_to = DateField(
        "To", validators=[Optional()], render_kw={"type": "date"},
        description="The last day of the date range, included.",
    )  # fmt: skip

    def __init__(self, *args, scope_agency_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_agency_id = scope_agency_id
        agencies = select(Agency.id, Agency.name).order_by(Agency.name)
        teams = (
            select(Team.id, Team.name, Agency.name).join(Agency).order_by(Agency.name, Team.name)
        )
        if scope_agency_id is not None:
            agencies = agencies.where(Agency.id == scope_agency_id)
            teams = teams.where(Team.agency_id == scope_agency_id)
        self.agency.choices = [("", "All agencies")] + [
            (a, n) for a, n in db.session.execute(agencies)
        ]
        self.team.choices = [("", "All teams")] + [
            (t, name if scope_agency_id else f"{name} ({agency})")
            for t, name, agency in db.session.execute(teams)
        ]
        courses = db.session.execute(
            select(Course.id, Course.title, Course.level).order_by(Course.level, Course.title)
        ).all()
        self.course.choices = [("", "All courses")] + [
            (c, f"{t} (level {lv})") for c, t, lv in courses
        ]
        levels = sorted({lv for _, _, lv in courses})
        self.level.choices = [("", "All levels")] + [(lv, f"Level {lv}") for lv in levels]
        self.role.choices = [("", "All roles")] + [(r.value, ROLE_LABELS[r]) for r in Role]

    def validate_team(self, field):
        if field.data is None or self.agency.data is None:
            return
        team = db.session.get(Team, field.data)
        if team is not None and team.agency_id != self.agency.data:
            raise ValidationError("Choose a team in the chosen agency, or all teams")

    def validate_date_from(self, field):
        if field.data is None or self.date_to.data is not None:
            return
        # With no end date the range runs to today.
        self._check_range(
            field.data, utcnow().date(), "The start of the date range cannot be after today"
        )

    def validate_date_to(self, field):
        if field.data is not None and self.date_from.data is not None:
            self._check_range(
                self.date_from.data, field.data, "The date range must end on or after its start"
            )

    @staticmethod
    def _check_range(start, end, backwards: str) -> None:
        if end < start:
            raise ValidationError(backwards)
        if (end.year - start.year) * 12 + end.month - start.month >= MAX_RANGE_MONTHS:
            raise ValidationError(f"Choose a date range of {MAX_RANGE_MONTHS // 12} years or less")

    def filters(self) -> Filters:
        """The validated choices as report filters."""
        return Filters(
            agency_id=self.agency.data,
            team_id=self.team.data,
            course_id=self.course.data,
            level=self.level.data,
            role=self.role.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
