"""Each request is one unit of work: it commits when the view succeeds, else rolls back."""

from collections.abc import Callable

from flask import Flask, Response

from signpost import unit_of_work


def dispatch(app: Flask, view: Callable[[], object]) -> Response:
    """Run the view; commit if it answers below 400, roll back on an error status or exception.

    As in Indico's request handler, the transaction boundary is here and nowhere else:
    an `abort`, a domain error or a crash leaves the database as it was.
    """
    try:
        response = app.make_response(view())
    except BaseException:
        unit_of_work.rollback()
        raise
    if response.status_code < 400 or unit_of_work.kept_on_error():
        unit_of_work.commit()
    else:
        unit_of_work.rollback()
    return response
