"""Addresses that moved: emails already sent contain them, so they redirect for good."""

from flask import Blueprint, redirect, request, url_for

from blueprints.access import public
from signpost.extensions import csrf

bp = Blueprint("moved", __name__)
csrf.exempt(bp)  # it only redirects; the new address checks the form's token itself


def _permanent(target: str):
    # 308 keeps the method and body, so an old form or link still works.
    query = request.query_string.decode()
    return redirect(target + (f"?{query}" if query else ""), code=308)


@bp.route("/sessions/", methods=["GET", "POST"])
@bp.route("/sessions/<path:rest>", methods=["GET", "POST"])
@public
def sessions(rest: str = ""):
    """Face-to-face sessions were at /sessions/, and training done elsewhere under it."""
    if rest == "external" or rest.startswith("external/"):
        return _permanent("/external/" + rest.removeprefix("external").lstrip("/"))
    return _permanent("/face-to-face/" + rest)


@bp.route("/assignments/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """The weekly summary's unsubscribe link."""
    return _permanent(url_for("reminders.unsubscribe", token=token))
