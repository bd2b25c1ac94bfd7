"""Stopping the weekly summary emails, from the link in one."""

from flask import Blueprint, abort, current_app, render_template

from blueprints.access import client_ip, public
from blueprints.reminders.forms import ConfirmForm
from signpost import reminders

bp = Blueprint("reminders", __name__, template_folder="templates")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """Stop the weekly summary emails from the link in one; no sign-in needed."""
    person = reminders.user_for_token(current_app.config["SECRET_KEY"], token)
    if person is None:
        abort(
            400,
            description="This unsubscribe link is not valid. Copy the whole link from "
            "the email, or sign in and contact an administrator.",
        )
    form = ConfirmForm()
    if form.validate_on_submit():
        reminders.unsubscribe(person, client_ip())
        return render_template("reminders/unsubscribed.html", person=person)
    return render_template("reminders/unsubscribe.html", form=form, person=person)
