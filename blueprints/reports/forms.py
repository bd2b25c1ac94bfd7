"""The dashboard's filter form, sent by GET so that every view has a shareable address."""

from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import ValidationError

from blueprints.filters import DateRangeForm, optional_int
from signpost.extensions import db
from signpost.models import ROLE_LABELS, Agency, Course, Role, Team
from signpost.reports.filters import MAX_RANGE_MONTHS, Filters


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


class FilterForm(DateRangeForm):
    """Narrow the report; every field may be left as 'all'."""

    agency = ChoiceField("Agency", coerce=optional_int, invalid="Choose an agency from the list")
    team = ChoiceField("Team", coerce=optional_int, invalid="Choose a team from the list")
    course = ChoiceField("Course", coerce=optional_int, invalid="Choose a course from the list")
    level = ChoiceField("Level", coerce=optional_int, invalid="Choose a level from the list")
    role = ChoiceField("Role", coerce=_optional_role, invalid="Choose a role from the list")
    max_months = MAX_RANGE_MONTHS

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
