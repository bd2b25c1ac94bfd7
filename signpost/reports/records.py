"""Keeping course_record in step: a session listener for the ORM, and a full rebuild in SQL.

What changes a learner's standing in a course: module progress started, a completion, a
certificate issued, revoked or re-issued, an assignment, the person's agency, team or
active state, and a course gaining or losing a module. The listener notes each such change
as it is flushed and, just before the transaction commits, recomputes the affected rows
with the same SQL the rebuild uses, so the table can never disagree with a fresh rebuild.

ORM bulk statements (session.execute(insert(Model)...)) skip flushes; signpost.reports.bulk
reads what they touch. Statements run on a bare connection bypass the session entirely: run
rebuild_records() after them (or refresh(connection, users={...}) for the people touched).
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from signpost.completion import add_months
from signpost.extensions import db
from signpost.models import (
    Assignment,
    Certificate,
    CourseCompletion,
    CourseModule,
    CourseRecord,
    ModuleProgress,
    User,
    UserRole,
)
from signpost.reports import bulk
from signpost.reports.computed import COLUMNS, computed, fill_expiry, scope, validity

PENDING = "signpost.reports.pending"
USER_FIELDS = ("agency", "agency_id", "team", "team_id", "active", "erased_at")


@dataclass
class Pending:
    """What this transaction changed that course records depend on."""

    pairs: set = field(default_factory=set)  # (user_id, course_id)
    modules: set = field(default_factory=set)  # (user_id, module_id)
    users: set = field(default_factory=set)  # every course of these people
    courses: set = field(default_factory=set)  # everybody in these courses
    everything: bool = False  # a bulk statement whose reach is unknown: rebuild all

    def __bool__(self) -> bool:
        return bool(self.pairs or self.modules or self.users or self.courses or self.everything)


def install() -> None:
    """Listen to every session, once: called from create_app."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_orm_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)


def _changed(obj, names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _get(obj, name: str):
    # What the object holds, without loading anything: a deleted row cannot be reloaded.
    state = inspect(obj)
    if name in state.dict:
        return state.dict[name]
    return None if state.deleted or state.was_deleted else getattr(obj, name)


def _note(session: Session, obj, how: str) -> None:
    pending = session.info.setdefault(PENDING, Pending())
    if isinstance(obj, ModuleProgress):
        if how != "dirty":  # starting or removing a pass; completing it is a CourseCompletion
            pending.modules.add((_get(obj, "user_id"), _get(obj, "module_id")))
    elif isinstance(obj, CourseCompletion | Certificate | Assignment):
        pending.pairs.add((_get(obj, "user_id"), _get(obj, "course_id")))
    elif isinstance(obj, User):
        if how == "deleted" or (how == "dirty" and _changed(obj, USER_FIELDS)):
            pending.users.add(_get(obj, "id"))
    elif isinstance(obj, CourseModule) and how != "dirty":
        pending.courses.add(_get(obj, "course_id"))
    elif isinstance(obj, UserRole):
        pending.users.add(_get(obj, "user_id"))


WATCHED = (ModuleProgress, CourseCompletion, Certificate, Assignment, User, CourseModule, UserRole)


def _after_flush(session: Session, _context) -> None:
    for how, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            if isinstance(obj, WATCHED):
                _note(session, obj, how)


def _on_orm_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    if model in bulk.KEYS:
        bulk.note(state, model, state.session.info.setdefault(PENDING, Pending()))


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction's commit refreshes
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit would flush after this hook; the changes must be seen now
    pending = session.info.pop(PENDING, None)
    if pending:
        refresh(session.connection(), pending)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def refresh(connection, pending: Pending | None = None, *, users=None, courses=None) -> None:
    """Recompute the course records touched by `pending` (or these users or courses)."""
    pending = pending or Pending()
    if pending.everything:
        rebuild_records(connection)
        return
    pending.users = {u for u in pending.users | set(users or ()) if u is not None}
    pending.courses = {c for c in pending.courses | set(courses or ()) if c is not None}
    pending.pairs = {key for key in pending.pairs if None not in key}
    pending.modules = {key for key in pending.modules if None not in key}
    if pending.modules:
        links = connection.execute(
            select(CourseModule.module_id, CourseModule.course_id).where(
                CourseModule.module_id.in_({m for _, m in pending.modules})
            )
        ).all()
        for user_id, module_id in pending.modules:
            pending.pairs |= {(user_id, c) for m, c in links if m == module_id}
    for chunk in _chunks(pending.users):
        _refresh_scope(connection, users=chunk)
    pairs = {
        (u, c) for u, c in pending.pairs if u not in pending.users and c not in pending.courses
    }
    if pairs:
        # People x courses covers every pair; recomputing a few extra rows is harmless.
        courses = {c for _, c in pairs}
        for chunk in _chunks({u for u, _ in pairs}):
            _refresh_scope(connection, users=chunk, courses=courses)
    for course_id in sorted(pending.courses):
        _refresh_scope(connection, courses={course_id})


# The computed query names the users in several IN lists; PostgreSQL allows 65,535
# parameters per statement, so a large import is refreshed a thousand people at a time.
CHUNK = 1000


def _chunks(ids: set[int]) -> list[set[int]]:
    ordered = sorted(ids)
    return [set(ordered[i : i + CHUNK]) for i in range(0, len(ordered), CHUNK)]


def _upsert(connection, rows: list[dict]) -> None:
    dialect = connection.dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(CourseRecord)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "course_id"],
        set_={name: stmt.excluded[name] for name in COLUMNS[2:]},
    )
    connection.execute(stmt, rows)


def _refresh_scope(connection, users=None, courses=None) -> None:
    if users and connection.dialect.name == "postgresql":
        # One refresh per person at a time: a concurrent transaction for the same person
        # waits here and then computes from what this one committed, not from before it.
        connection.execute(
            select(User.id)
            .where(User.id.in_(sorted(users)))
            .order_by(User.id)
            .with_for_update(key_share=True)
        )
    rows = [dict(row._mapping) for row in connection.execute(computed(users, courses))]
    if any(row["completed_at"] is not None and row["expires_at"] is None for row in rows):
        known = validity(connection)
        rows = [fill_expiry(row, known) for row in rows]
    keep = {(row["user_id"], row["course_id"]) for row in rows}
    r = CourseRecord
    existing = connection.execute(
        scope(select(r.user_id, r.course_id), r.user_id, r.course_id, users, courses)
    )
    gone = [key for key in map(tuple, existing) if key not in keep]
    if rows:
        _upsert(connection, rows)
    for user_id, course_id in gone:
        connection.execute(delete(r).where(r.user_id == user_id, r.course_id == course_id))


def rebuild_records(connection=None) -> int:
    """Recompute every course record from scratch, in SQL; returns how many there are."""
    connection = connection or db.session.connection()
    connection.execute(delete(CourseRecord))
    connection.execute(insert(CourseRecord).from_select(list(COLUMNS), computed()))
    r = CourseRecord
    missing = connection.execute(
        select(r.user_id, r.course_id, r.completed_at).where(
            r.completed_at.is_not(None), r.expires_at.is_(None)
        )
    ).all()
    if missing:  # completions with no certificate at all: expiry from the course
        known = validity(connection)
        for user_id, course_id, completed_at in missing:
            connection.execute(
                update(r)
                .where(r.user_id == user_id, r.course_id == course_id)
                .values(expires_at=add_months(completed_at, known[course_id]))
            )
    return connection.execute(select(func.count()).select_from(r)).scalar_one()
