"""The emails the account pages send."""

from flask import current_app, render_template, url_for

from signpost import mail
from signpost.models import User


def send_reset_link(user: User, token: str) -> None:
    """Email a password reset link."""
    link = current_app.config["BASE_URL"] + url_for("accounts.reset_password", token=token)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    context = {"user": user, "link": link, "hours": hours}
    mail.send(
        current_app.config,
        user.email,
        "Reset your Signpost password",
        render_template("accounts/email/reset.txt", **context),
        render_template("accounts/email/reset.html", **context),
    )
