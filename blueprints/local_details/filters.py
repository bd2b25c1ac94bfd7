"""The `local` template filter: stored content HTML with the reader's local details."""

from flask import g
from flask_login import current_user
from markupsafe import Markup

from signpost import local_details


def _values() -> dict[str, str]:
    # One query per request at most, however many pieces of content a page shows.
    agency_id = current_user.agency_id if current_user.is_authenticated else None
    cache = g.setdefault("local_details", {})
    if agency_id not in cache:
        cache[agency_id] = local_details.values_for(agency_id)
    return cache[agency_id]


def local(html: str | None) -> Markup:
    """Content HTML (sanitised at import) with its `{{local.KEY}}` placeholders filled in."""
    if not html:
        return Markup("")
    if "{{local." not in html:
        return Markup(html)  # noqa: S704 - stored content HTML, sanitised at import
    return local_details.substitute(html, _values())
