"""People: the list, adding and changing a person, deactivation, erasure and CSV export."""

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import client_ip, role_required, visible_or_404
from blueprints.form_errors import show_error
from blueprints.people import agency_routes, import_routes  # noqa: F401 - they add routes to bp
from blueprints.people.blueprint import bp
from blueprints.people.emails import send_all
from blueprints.people.forms import EraseForm, PersonForm, SearchForm
from signpost import accounts, people, privacy, unit_of_work
from signpost.csv_safety import write_csv
from signpost.extensions import db
from signpost.models import Role, User
from signpost.pagination import paginate
from signpost.user_import import SET_PASSWORD_HOURS

__all__ = ["bp"]
MANAGERS = (Role.ADMIN, Role.AGENCY_LEAD)
PER_PAGE = 50


def _visible_or_404(user_id: int) -> User:
    """People outside the actor's scope look the same as people who do not exist."""
    return visible_or_404(User, user_id, people.can_see)


def _manageable_or_403(user_id: int) -> User:
    person = _visible_or_404(user_id)
    if not people.can_manage(current_user, person):
        abort(403, description="Only an administrator can change this person's account.")
    return person


def _send_link(person: User, token: str, sent: str, failed: str) -> None:
    """Email a set-password link once the account is stored, and say how it went."""
    if send_all([(person, token)]):
        flash(failed, "warning")
    else:
        flash(sent, "success")


def _criteria() -> tuple[SearchForm, people.Search]:
    form = SearchForm(request.args)
    form.set_choices(people.agencies_for(current_user))
    form.validate()
    role = request.args.get("role") or ""
    return form, people.Search(
        text=form.q.data or "",
        agency_id=None if form.agency.errors else form.agency.data or None,
        role=Role(role) if role in set(Role) else None,
        status=form.status.data if form.status.data in people.STATUSES else "active",
    )


@bp.get("/people")
@role_required(*MANAGERS)
def index():
    """Find people by name or email; filter by agency, role and status."""
    form, criteria = _criteria()
    page = paginate(
        people.search(current_user, criteria), request.args.get("page", 1, type=int), PER_PAGE
    )
    return render_template(
        "people/index.html",
        form=form,
        page=page,
        admin=people.is_admin(current_user),
        role_names=people.role_names,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/people.csv")
@role_required(*MANAGERS)
def export_csv():
    """The people list as CSV, safe to open in a spreadsheet."""
    _, criteria = _criteria()
    found = list(db.session.scalars(people.search(current_user, criteria)))
    body = write_csv(people.export_rows(found))
    people.record_list_export(current_user, len(found), client_ip())
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="people.csv"',
    }
    return "\ufeff" + body, 200, headers  # the BOM tells Excel the file is UTF-8


def _details(form: PersonForm) -> people.PersonDetails:
    return people.PersonDetails(
        name=form.name.data or "",
        email=form.email.data or "",
        agency_id=form.agency.data,
        team_id=form.team.data or None,
        job_title=form.job_title.data,
        roles={Role(value) for value in form.roles.data or []},
    )


def _person_form(person: User | None = None) -> PersonForm:
    form = PersonForm(obj=person)
    roles = set(people.grantable_roles(current_user)) | (person.roles if person else set())
    form.set_choices(people.agencies_for(current_user), roles)
    if person is not None and not form.is_submitted():
        form.agency.data, form.team.data = person.agency_id, person.team_id or 0
        form.roles.data = [r.value for r in person.roles]
    elif person is None and not form.is_submitted():
        form.agency.data = current_user.agency_id
        form.roles.data = [Role.LEARNER.value]
    return form


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def create():
    """Add a person; they receive an email with a link to set their password."""
    form = _person_form()
    if form.validate_on_submit():
        try:
            person = people.create_user(current_user, _details(form), client_ip())
        except people.PeopleError as error:
            show_error(form, error)
        else:
            token = accounts.create_reset_token(person, SET_PASSWORD_HOURS)
            unit_of_work.after_commit(
                lambda: _send_link(
                    person,
                    token,
                    f"{person.name} was added and emailed a link to set a password.",
                    f"{person.name} was added, but the email could not be sent.",
                )
            )
            return redirect(url_for("people.edit", user_id=person.id))
    return render_template("people/form.html", form=form, person=None)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit(user_id: int):
    """See and change a person's details, roles, agency and team."""
    person = _visible_or_404(user_id)
    manageable = people.can_manage(current_user, person) and person.erased_at is None
    form = _person_form(person)
    if form.is_submitted() and not manageable:
        abort(403, description="Only an administrator can change this person's account.")
    if form.validate_on_submit():
        try:
            changed = people.update_user(current_user, person, _details(form), client_ip())
        except people.PeopleError as error:
            show_error(form, error)
        else:
            flash("Saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("people.edit", user_id=person.id))
    return render_template(
        "people/form.html",
        form=form,
        person=person,
        manageable=manageable,
        admin=people.is_admin(current_user),
        role_names=people.role_names,
    )


def _status_change(user_id: int, action, done: str):
    person = _manageable_or_403(user_id)
    try:
        action(current_user, person, client_ip())
    except people.PeopleError as error:
        flash(str(error), "error")
    else:
        flash(done.format(name=person.name), "success")
    return redirect(url_for("people.edit", user_id=person.id))


@bp.post("/people/<int:user_id>/deactivate")
@role_required(*MANAGERS)
def deactivate(user_id: int):
    """Stop a person signing in; their records stay."""
    return _status_change(
        user_id, people.deactivate_user, "{name} has been deactivated and signed out."
    )


@bp.post("/people/<int:user_id>/reactivate")
@role_required(*MANAGERS)
def reactivate(user_id: int):
    """Let a deactivated person sign in again."""
    return _status_change(user_id, people.reactivate_user, "{name} can sign in again.")


@bp.post("/people/<int:user_id>/send-link")
@role_required(*MANAGERS)
def send_link(user_id: int):
    """Email a person a fresh link to set their password."""
    person = _manageable_or_403(user_id)
    if not person.active:
        flash("Reactivate the account before sending a link.", "error")
        return redirect(url_for("people.edit", user_id=person.id))
    token = accounts.create_reset_token(person, SET_PASSWORD_HOURS)
    people.record_link_sent(current_user, person, client_ip())
    unit_of_work.after_commit(
        lambda: _send_link(
            person,
            token,
            f"A link to set a password has been emailed to {person.email}.",
            "The email could not be sent. Try again later.",
        )
    )
    return redirect(url_for("people.edit", user_id=person.id))


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def erase(user_id: int):
    """Remove a person's details for good, keeping the anonymous training records."""
    person = db.session.get(User, user_id) or abort(404)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            privacy.erase_user(person, current_user, client_ip())
        except privacy.PrivacyError as error:
            form.confirm.errors.append(str(error))
        else:
            flash(f"The details of user {person.id} have been erased.", "success")
            return redirect(url_for("people.edit", user_id=person.id))
    return render_template("people/erase.html", form=form, person=person)


@bp.get("/people/<int:user_id>/data.json")
@role_required(Role.ADMIN)
def personal_data(user_id: int):
    """An admin's copy of everything held about a person, for a subject access request."""
    person = db.session.get(User, user_id) or abort(404)
    data = privacy.export_user(person)
    privacy.record_export(person, current_user, client_ip())
    headers = {
        "Content-Type": "application/json",
        "Content-Disposition": f'attachment; filename="signpost-user-{person.id}.json"',
    }
    return json.dumps(data, indent=2, ensure_ascii=False), 200, headers
