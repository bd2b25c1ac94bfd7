"""The people blueprint object, shared by the route modules of this package."""

from flask import Blueprint

bp = Blueprint("people", __name__, template_folder="templates")
