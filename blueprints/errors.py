"""Error pages: each says what went wrong and what to do next."""

import logging
import math
import time
from typing import NoReturn

from flask import Flask, abort, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from signpost import unit_of_work
from signpost.errors import Conflict, DomainError, Invalid, NotFound, NotPermitted
from signpost.extensions import limiter

log = logging.getLogger("signpost.errors")

TITLES = {
    400: "There is a problem with that request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That has already been done",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Sorry, something went wrong",
}


def _retry_after_seconds() -> int | None:
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


STATUSES = ((NotFound, 404), (NotPermitted, 403), (Conflict, 409), (Invalid, 400))


def status_for(error: DomainError) -> int:
    """The HTTP status that answers a kind of domain error."""
    return next((code for kind, code in STATUSES if isinstance(error, kind)), 400)


def abort_for(error: DomainError) -> NoReturn:
    """Answer a domain error with its status; a 404 says no more than any other 404."""
    code = status_for(error)
    abort(code, description=None if code == 404 else str(error))


def render_error(code: int, description: str | None = None, retry_after: int | None = None):
    """Render the error page for a status code."""
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return {"error": TITLES.get(code, "Error"), "detail": description}, code
    page = render_template(
        "errors/error.html",
        code=code,
        title=TITLES.get(code, "Error"),
        description=description,
        retry_after=retry_after,
        request_id=g.get("request_id"),
    )
    return page, code


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "The form had expired or was not sent from this site, so nothing was saved. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(429)
    def too_many(error):
        retry = _retry_after_seconds()
        response = render_error(429, None, retry)
        headers = {"Retry-After": str(retry)} if retry else {}
        return response[0], 429, headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        description = error.description
        if description == type(error).description:
            description = None  # werkzeug's generic text; the page has its own
        return render_error(error.code or 500, description)

    @app.errorhandler(Exception)
    def unexpected(error):
        unit_of_work.rollback()  # the error page must not read a half-failed transaction
        log.exception("unhandled error", extra={"path": request.path})
        return render_error(500, None)

    app.register_error_handler(InternalServerError, lambda e: render_error(500, None))
