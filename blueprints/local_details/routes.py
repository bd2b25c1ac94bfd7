"""Setting the local details: the partnership's (admins) and each agency's (its lead)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.access import client_ip, role_required, visible_or_404
from blueprints.form_errors import show_error
from blueprints.local_details.filters import local
from blueprints.local_details.forms import LogoForm, details_form
from signpost import agencies, local_details
from signpost.errors import DomainError
from signpost.models import Agency, Role
from signpost.scope import scope_of

bp = Blueprint("local_details", __name__, template_folder="templates")
bp.add_app_template_filter(local, "local")

PARTNERSHIP_KEYS = list(local_details.KEYS)


def _save(form, keys: list[str], agency_id: int | None) -> bool:
    """Store the form's values; False (with the error on the form) if refused."""
    values = {key: form[key].data for key in keys}
    try:
        changed = local_details.set_values(current_user, values, agency_id, client_ip())
    except DomainError as error:
        show_error(form, error)
        return False
    if changed:
        flash("Local details saved.", "success")
    else:
        flash("Nothing had changed.", "info")
    return True


@bp.route("/local-details", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def edit():
    """The partnership's details and logo; an agency lead goes to their agency's page."""
    if not current_user.has_role(Role.ADMIN):
        if current_user.agency_id is None:
            abort(404)
        return redirect(url_for("local_details.agency", agency_id=current_user.agency_id))
    form = details_form(PARTNERSHIP_KEYS, local_details.own_values(None))
    if form.validate_on_submit() and _save(form, PARTNERSHIP_KEYS, None):
        return redirect(url_for("local_details.edit"))
    return _partnership_page(form, LogoForm(prefix="logo"))


def _partnership_page(form, logo_form):
    status = 400 if form.errors or logo_form.errors else 200
    return render_template(
        "local_details/edit.html",
        form=form,
        logo_form=logo_form,
        branding=local_details.branding(),
        agencies=agencies.all_agencies(),
        url_key=local_details.URL_KEYS,
    ), status


@bp.post("/local-details/logo")
@role_required(Role.ADMIN)
def logo():
    """Upload, replace or remove the partnership's logo."""
    logo_form = LogoForm(prefix="logo")
    if logo_form.validate_on_submit():
        upload = logo_form.logo.data
        try:
            if logo_form.remove.data:
                local_details.remove_logo(current_user, client_ip())
                flash("The logo has been removed.", "success")
            else:
                data = upload.read(local_details.MAX_LOGO_BYTES + 1) if upload else b""
                local_details.set_logo(current_user, data, client_ip())
                flash("The logo has been saved.", "success")
        except DomainError as error:
            show_error(logo_form, error)
        else:
            return redirect(url_for("local_details.edit"))
    form = details_form(PARTNERSHIP_KEYS, local_details.own_values(None))
    return _partnership_page(form, logo_form)


@bp.route("/local-details/agencies/<int:agency_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def agency(agency_id: int):
    """One agency's overrides of the partnership's details."""
    found = visible_or_404(
        Agency, agency_id, lambda user, a: scope_of(user).may_manage_agency(a.id)
    )
    keys = local_details.OVERRIDABLE
    form = details_form(keys, local_details.own_values(found.id))
    if form.validate_on_submit() and _save(form, keys, found.id):
        return redirect(url_for("local_details.agency", agency_id=found.id))
    return render_template(
        "local_details/agency.html",
        agency=found,
        form=form,
        partnership=local_details.own_values(None),
        is_admin=current_user.has_role(Role.ADMIN),
        url_key=local_details.URL_KEYS,
    ), (400 if form.errors else 200)
