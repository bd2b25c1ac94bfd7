"""One transaction per unit of work: a request, a command or a job commits once, at its end.

Nothing else in Signpost commits or rolls back. A web request is one unit (see
`blueprints/unit_of_work.py`); a CLI command or a job wraps its work in `unit_of_work()`.
Work that must wait until the data is safely stored (sending an email, rendering a PDF)
is registered with `after_commit` and runs only if the commit succeeds.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from signpost.extensions import db

log = logging.getLogger("signpost.unit_of_work")

_AFTER_COMMIT = "signpost.after_commit"
_KEEP = "signpost.keep_on_error"


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the current unit has committed; never if it rolls back."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(action)


def keep_on_error() -> None:
    """Commit this request's changes even though it answers with an error status.

    For the rare refusal that must itself be recorded, such as a failed sign-in.
    """
    db.session.info[_KEEP] = True


def kept_on_error() -> bool:
    """True if the current unit asked to be committed despite an error status."""
    return bool(db.session.info.get(_KEEP))


def commit() -> None:
    """End the unit: commit, then run what waited for the commit, each as a unit of its own."""
    pending = db.session.info.pop(_AFTER_COMMIT, [])
    db.session.info.pop(_KEEP, None)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for action in pending:
        try:
            with unit_of_work():
                action()
        except Exception:  # noqa: BLE001 - the data is committed; a follow-up failure is logged
            log.exception("after-commit action failed", extra={"action": repr(action)})


def rollback() -> None:
    """End the unit without keeping anything, and forget what waited for a commit."""
    db.session.info.pop(_AFTER_COMMIT, None)
    db.session.info.pop(_KEEP, None)
    db.session.rollback()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit once if the block finishes, roll back if it raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


@contextmanager
def atomic() -> Iterator[None]:
    """All or nothing inside a unit: if the block raises, only its own changes are undone."""
    with db.session.begin_nested():
        yield
