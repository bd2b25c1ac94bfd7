"""The home page and the health check."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from signpost.extensions import db, limiter
from signpost.models import Role

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home():
    """A learner's home is My learning; other roles get a page of their tools."""
    if current_user.has_role(Role.LEARNER):
        return redirect(url_for("learn.index"))
    return render_template("main/home.html", user=current_user)


@bp.get("/healthz")
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
