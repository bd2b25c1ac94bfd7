"""Site settings an admin changes at run time."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.access import client_ip, role_required
from blueprints.site_settings.forms import SiteSettingsForm
from signpost import audit, site_settings
from signpost.models import Role

bp = Blueprint("site_settings", __name__, template_folder="templates")


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit():
    """Switch self-registration on or off."""
    form = SiteSettingsForm()
    if form.validate_on_submit():
        value = "on" if form.self_registration.data else "off"
        site_settings.set_value(site_settings.SELF_REGISTRATION, value)
        audit.record(
            "setting_changed",
            actor=current_user,
            ip=client_ip(),
            key="self_registration",
            value=value,
        )
        flash("Settings saved.", "success")
        return redirect(url_for("site_settings.edit"))
    form.self_registration.data = site_settings.self_registration_open()
    return render_template("site_settings/edit.html", form=form)
