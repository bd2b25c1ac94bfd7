"""Agencies and their teams, managed by admins."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.access import client_ip, role_required
from blueprints.form_errors import show_error
from blueprints.people.blueprint import bp
from blueprints.people.forms import AgencyForm, TeamForm
from signpost import agencies
from signpost.extensions import db
from signpost.models import Agency, AgencyKind, Role, Team
from signpost.people import PeopleError


@bp.route("/agencies", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agencies_index():
    """Every agency, and a form to add one."""
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = agencies.create_agency(
                current_user, form.name.data, AgencyKind(form.kind.data), client_ip()
            )
        except PeopleError as error:
            show_error(form, error)
        else:
            flash(f"{agency.name} has been added.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    return render_template(
        "people/agencies.html",
        form=form,
        agencies=agencies.all_agencies(),
        staff=agencies.staff_counts(),
    ), (400 if form.errors else 200)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agency(agency_id: int):
    """Rename an agency or change its sector; see and add its teams."""
    agency = db.session.get(Agency, agency_id) or abort(404)
    form = AgencyForm(obj=agency)
    team_form = TeamForm(prefix="team")
    if form.validate_on_submit():
        try:
            agencies.update_agency(
                current_user, agency, form.name.data, AgencyKind(form.kind.data), client_ip()
            )
        except PeopleError as error:
            show_error(form, error)
        else:
            flash("Agency saved.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    return _agency_page(agency, form, team_form)


def _agency_page(agency, form, team_form):
    status = 400 if form.errors or team_form.errors else 200
    return render_template(
        "people/agency.html", agency=agency, form=form, team_form=team_form
    ), status


@bp.post("/agencies/<int:agency_id>/teams")
@role_required(Role.ADMIN)
def add_team(agency_id: int):
    """Add a team to an agency."""
    agency = db.session.get(Agency, agency_id) or abort(404)
    team_form = TeamForm(prefix="team")
    if team_form.validate_on_submit():
        try:
            team = agencies.create_team(current_user, agency, team_form.name.data, client_ip())
        except PeopleError as error:
            team_form.name.errors.append(str(error))
        else:
            flash(f"Team {team.name} has been added.", "success")
            return redirect(url_for("people.agency", agency_id=agency.id))
    form = AgencyForm(obj=agency, formdata=None)
    return _agency_page(agency, form, team_form)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def team(team_id: int):
    """Rename a team."""
    team = db.session.get(Team, team_id) or abort(404)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        try:
            agencies.rename_team(current_user, team, form.name.data, client_ip())
        except PeopleError as error:
            form.name.errors.append(str(error))
        else:
            flash("Team renamed.", "success")
            return redirect(url_for("people.agency", agency_id=team.agency_id))
    return render_template("people/team.html", team=team, form=form), (400 if form.errors else 200)
