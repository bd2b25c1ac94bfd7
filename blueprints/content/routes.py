"""Serving images that content uses, from the database."""

from flask import Blueprint, abort
from sqlalchemy import select

from blueprints.access import public
from signpost.extensions import db
from signpost.models import ContentAsset

bp = Blueprint("content", __name__)


@bp.get("/content/assets/<int:version_id>/<path:path>")
@public
def asset(version_id: int, path: str):
    """One image; immutable, since a version never changes."""
    row = db.session.scalar(
        select(ContentAsset).where(ContentAsset.version_id == version_id, ContentAsset.path == path)
    )
    if row is None:
        abort(404)
    headers = {
        "Content-Type": row.media_type,
        "Cache-Control": "public, max-age=31536000, immutable",
        # An SVG opened directly must not be able to run anything on this origin.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "X-Content-Type-Options": "nosniff",
    }
    return row.data, 200, headers
