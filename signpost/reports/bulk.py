"""Noticing bulk statements (session.execute(insert/update/delete(Model)...)) that bypass flushes.

Such statements skip the ORM's flush events, so the course-record listener reads what they
touch from the statement itself: the values an INSERT carries, or, before an UPDATE or
DELETE runs, the rows its WHERE clause (or its per-row primary keys) selects. When that
cannot be known (INSERT ... SELECT, or no WHERE at all), every record is rebuilt at commit.
"""

import logging

from sqlalchemy import select

from signpost.models import (
    Assignment,
    Certificate,
    CourseCompletion,
    CourseModule,
    ModuleProgress,
    User,
    UserRole,
)

log = logging.getLogger("signpost.reports")

USER_COLUMNS = {"agency_id", "team_id", "active", "erased_at"}
# Model -> (columns naming what it affects, which Pending set they go to)
KEYS = {
    Assignment: (("user_id", "course_id"), "pairs"),
    CourseCompletion: (("user_id", "course_id"), "pairs"),
    Certificate: (("user_id", "course_id"), "pairs"),
    ModuleProgress: (("user_id", "module_id"), "modules"),
    CourseModule: (("course_id",), "courses"),
    User: (("id",), "users"),
    UserRole: (("user_id",), "users"),
}


class Unknown(Exception):
    """What a statement touches cannot be told from it."""


def _plain(mapping) -> dict:
    return {getattr(k, "key", k): getattr(v, "value", v) for k, v in mapping.items()}


def _inserted(statement, rows: list[dict]) -> list[dict]:
    values = [_plain(row) for batch in getattr(statement, "_multi_values", ()) for row in batch]
    if getattr(statement, "_values", None):
        values.append(_plain(statement._values))
    values += rows
    if not values or getattr(statement, "select", None) is not None:
        raise Unknown
    return values


def _touched(connection, model, columns, statement, rows: list[dict]) -> list[tuple]:
    """The key columns of the rows an UPDATE or DELETE is about to change."""
    keys = [getattr(model, name) for name in columns]
    if rows and all("id" in row for row in rows):  # bulk UPDATE by primary key
        ids = [row["id"] for row in rows]
        return connection.execute(select(*keys).where(model.id.in_(ids))).all()
    if statement.whereclause is None:
        raise Unknown
    return connection.execute(select(*keys).where(statement.whereclause)).all()


def note(state, model, pending) -> None:
    """Add what an ORM bulk INSERT, UPDATE or DELETE will change to `pending`."""
    columns, target = KEYS[model]
    statement = state.statement
    params = state.parameters
    rows = [_plain(p) for p in (params if isinstance(params, list) else [params] if params else [])]
    try:
        if state.is_insert:
            if model is User:
                return  # a new person has no course records yet
            found = [tuple(row.get(name) for name in columns) for row in _inserted(statement, rows)]
        else:
            if state.is_update and model is ModuleProgress:
                return  # completing a pass changes nothing here; a CourseCompletion does
            if state.is_update and model is User:
                changed = set(_plain(getattr(statement, "_values", None) or {}))
                changed |= {name for row in rows for name in row}
                if not changed & USER_COLUMNS:
                    return
            found = _touched(state.session.connection(), model, columns, statement, rows)
    except Unknown:
        log.warning(
            "bulk %s on %s: rebuilding every course record at commit",
            type(statement).__name__,
            model.__name__,
        )
        pending.everything = True
        return
    if any(None in key for key in found):
        pending.everything = True
        return
    bucket = getattr(pending, target)
    bucket.update(key[0] if len(columns) == 1 else tuple(key) for key in found)
