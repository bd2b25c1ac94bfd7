"""Refuse, before any view, input no page can use: a NUL character anywhere in it.

PostgreSQL cannot store or compare a string holding NUL (SQLite can), so a NUL in a path
segment, a query parameter or a form field would otherwise reach the database as a 500.
"""

from flask import Flask, abort, request


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists())


def register(app: Flask) -> None:
    """Answer 400 to a request carrying a NUL in its path, query string or form."""

    @app.before_request
    def refuse_nul():
        if "\x00" in request.path or _has_nul(request.args) or _has_nul(request.form):
            abort(400, description="The address or form sent contained a character it cannot.")
