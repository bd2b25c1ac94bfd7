"""The training effectiveness page for boards, admins and agency leads."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import role_required
from blueprints.effectiveness.forms import EffectivenessFilterForm
from blueprints.filters import agency_choices
from signpost import effectiveness
from signpost.extensions import db
from signpost.models import Course, Role
from signpost.scope import scope_of

bp = Blueprint("effectiveness", __name__, template_folder="templates")


@bp.get("/effectiveness")
@role_required(Role.ADMIN, Role.AUDITOR, Role.AGENCY_LEAD)
def index():
    """Confidence change and quiz results by agency; agency leads see their own agency."""
    scope = scope_of(current_user).report_agency
    form = EffectivenessFilterForm(request.args)
    courses = db.session.execute(select(Course.id, Course.title).order_by(Course.title)).all()
    form.course.choices = [("", "All courses")] + [(str(c.id), c.title) for c in courses]
    form.agency.choices = agency_choices("All agencies")
    valid = form.validate()
    if valid and scope is not None and form.agency.data not in (None, scope):
        abort(404)  # another agency's figures are out of scope
    figures = None
    if valid:
        figures = effectiveness.summary(
            course_id=form.course.data,
            agency_id=form.agency.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            scope_agency_id=scope,
        )
    return render_template(
        "effectiveness/index.html",
        form=form,
        effectiveness=figures,
        scope_agency_id=scope,
        filters=form,
    )
