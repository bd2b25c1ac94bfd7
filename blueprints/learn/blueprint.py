"""The learn blueprint and what its route modules share: the learner gate and look-ups."""

from flask import Blueprint, abort
from flask_login import current_user

from blueprints.access import role_required
from signpost import catalogue, progress
from signpost.models import Role

bp = Blueprint("learn", __name__, template_folder="templates")
learner = role_required(Role.LEARNER)


def module_or_404(slug: str):
    """An active module, or 404."""
    return catalogue.module_by_slug(slug) or abort(404)


def progress_or_start_page(module):
    """The learner's pass through a module; None means they must start it first."""
    return progress.current_progress(current_user.id, module.id)


def scenario_or_404(mine, scenario_slug: str):
    """A scenario of the learner's version, or 404."""
    found = next((s for s in mine.version.scenarios if s.slug == scenario_slug), None)
    return found or abort(404)
