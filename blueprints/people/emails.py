"""The email a new person receives: a link to set their password."""

from flask import current_app, render_template, url_for

from signpost import mail
from signpost.models import User
from signpost.user_import import SET_PASSWORD_HOURS


def send_set_password(user: User, token: str) -> None:
    """Email a new person the link to choose their password."""
    link = current_app.config["BASE_URL"] + url_for("accounts.reset_password", token=token)
    context = {"user": user, "link": link, "days": SET_PASSWORD_HOURS // 24}
    mail.send(
        current_app.config,
        user.email,
        "Set your Signpost password",
        render_template("people/email/set_password.txt", **context),
        render_template("people/email/set_password.html", **context),
    )


def send_all(created: list[tuple[User, str]]) -> int:
    """Send every new person their link; returns how many could not be sent."""
    failed = 0
    for user, token in created:
        try:
            send_set_password(user, token)
        except OSError:
            # The accounts exist already; an admin can send a fresh link from the person's page.
            current_app.logger.exception("set-password email failed", extra={"user": user.id})
            failed += 1
    return failed
