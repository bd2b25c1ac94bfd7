"""Modules whose review-by date has passed or is near, for trainers and admins."""

from flask import Blueprint, render_template

from blueprints.access import role_required
from signpost import content_review
from signpost.models import Role, utcnow

bp = Blueprint("content_review", __name__, template_folder="templates")


@bp.get("/content-review")
@role_required(Role.ADMIN, Role.TRAINER)
def index():
    """Modules past their review date, then those due within 30 days."""
    today = utcnow().date()
    return render_template(
        "content_review/index.html",
        due=content_review.due_for_review(today),
        soon_days=content_review.SOON_DAYS,
        today=today,
    )
