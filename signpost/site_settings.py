"""Settings an admin can change while the site runs."""

from signpost.extensions import db
from signpost.models import SiteSetting

SELF_REGISTRATION = "self_registration"
_DEFAULTS = {SELF_REGISTRATION: "on"}


def get(key: str) -> str:
    """The current value of a setting, or its default."""
    row = db.session.get(SiteSetting, key)
    return row.value if row is not None else _DEFAULTS[key]


def set_value(key: str, value: str) -> None:
    """Change a setting; the caller commits."""
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value


def self_registration_open() -> bool:
    """True if people may create their own accounts."""
    return get(SELF_REGISTRATION) == "on"
