"""The one place access is checked: sign-in, roles, and safe redirects."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_login import current_user, login_required

from blueprints.converters import as_id
from signpost.extensions import db, login_manager
from signpost.models import ROLE_LABELS, Role, User


def register_login(app: Flask) -> None:
    """Configure Flask-Login for this app."""
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Find the signed-in user; a changed password ends older sessions."""
    user_id, _, version = session_id.partition(".")
    ident = as_id(user_id)
    if ident is None:
        return None
    user = db.session.get(User, ident)
    if user is None or str(user.session_version) != version:
        return None
    return user


# Every view declares who it is for, where it is defined: `public`, `signed_in` or
# `role_required(...)`. A test walks the URL map and fails on a view without one.
PUBLIC = "public"
SIGNED_IN = "signed in"


def public(view):
    """Declare a view open to anyone, signed in or not."""
    view.audience = PUBLIC
    return view


def signed_in(view):
    """Allow the view to anyone signed in, whatever their roles."""
    wrapped = login_required(view)
    wrapped.audience = SIGNED_IN
    return wrapped


def role_required(*roles: Role):
    """Allow the view only to signed-in users holding at least one of `roles`."""
    needed = " or ".join(ROLE_LABELS[r].lower() for r in roles)

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403, description=f"This page is for users with the {needed} role.")
            return view(*args, **kwargs)

        wrapped.audience = frozenset(roles)
        return wrapped

    return decorator


def audience_of(app: Flask, endpoint: str):
    """What a view declared: PUBLIC, SIGNED_IN, a set of roles, or None if it declared nothing."""
    if endpoint == "static":
        return PUBLIC  # Flask's own: the CSS, scripts, fonts and images of the site
    return getattr(app.view_functions[endpoint], "audience", None)


def client_ip() -> str | None:
    """The caller's address as the app sees it (set ProxyFix behind a proxy)."""
    return request.remote_addr


def safe_next(target: str | None, default: str) -> str:
    """Only follow `next=` to a path on this site, never to another host."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def visible_or_404(model, object_id: int, allowed):
    """The object if it exists and `allowed(current_user, obj)`; else the same 404 either way."""
    found = db.session.get(model, object_id)
    if found is None or not allowed(current_user, found):
        abort(404)
    return found
