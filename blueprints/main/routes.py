"""The home page and the health check."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from blueprints.access import public, signed_in
from signpost.extensions import db, limiter
from signpost.models import Role

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
@signed_in
def home():
    """A learner's home is My learning; other roles get a page of their tools."""
    if current_user.has_role(Role.LEARNER):
        return redirect(url_for("learn.index"))
    return render_template("main/home.html", user=current_user)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    """JSON status for load balancers and monitoring."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        database = "unavailable"
    status = "ok" if database == "ok" else "degraded"
    return {"status": status, "database": database}, 200 if status == "ok" else 503
