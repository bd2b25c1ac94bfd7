"""Recording significant actions in the append-only audit log, and finding them again."""

import datetime as dt
import json
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Text, cast, event, inspect, or_, select, text
from sqlalchemy.orm import Session, aliased, object_session

from signpost.extensions import db
from signpost.models import Agency, AuditEvent, User
from signpost.pagination import Pagination, paginate
from signpost.scope import Scope

# The address of the request being served, bound by the web layer, so that events
# recorded deep in the domain (a completion, a certificate) still say where from.
_request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)

REDACTION_FLAG = "audit_redaction"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


def bind_request_ip(ip: str | None) -> None:
    """Remember the current request's address for events recorded without one."""
    _request_ip.set(ip)


def record(
    action: str,
    *,
    actor: User | None = None,
    target: object | None = None,
    ip: str | None = None,
    agency_id: int | None = None,
    **detail,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None and actor.id is not None else None,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=str(target.id) if target is not None and hasattr(target, "id") else None,
        agency_id=agency_id if agency_id is not None else getattr(actor, "agency_id", None),
        ip=ip if ip is not None else _request_ip.get(),
        detail=detail,
    )
    db.session.add(event)
    return event


# --- Append-only ----------------------------------------------------------------------


def redact(event_row: AuditEvent, detail: dict) -> None:
    """Replace an event's details to remove personal data (erasure); nothing else may change."""
    session = object_session(event_row) or db.session
    postgres = session.get_bind().dialect.name == "postgresql"
    session.info[REDACTION_FLAG] = id(event_row)
    try:
        # Transaction-local, and switched off again at once: the trigger lets only
        # this flush rewrite `detail`.
        if postgres:
            session.execute(text("SELECT set_config('signpost.audit_redaction', 'on', true)"))
        event_row.detail = detail
        session.flush()
        if postgres:
            session.execute(text("SELECT set_config('signpost.audit_redaction', 'off', true)"))
    finally:
        session.info.pop(REDACTION_FLAG, None)


def _message(what: str) -> str:
    return (
        f"The audit log is append-only: an audit event cannot be {what}. "
        "To remove personal data on erasure use signpost.audit.redact(event, detail)."
    )


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, target: AuditEvent) -> None:
    state = inspect(target)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    session = object_session(target)
    redacting = session is not None and session.info.get(REDACTION_FLAG) == id(target)
    if changed and not (redacting and changed == {"detail"}):
        raise AppendOnlyError(_message("changed"))


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, _target: AuditEvent) -> None:
    raise AppendOnlyError(_message("deleted"))


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state) -> None:
    # session.execute(update(AuditEvent)) / delete(AuditEvent) skip the mapper events.
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEvent for m in state.all_mappers
    ):
        raise AppendOnlyError(_message("changed or deleted in bulk"))


# Database triggers, for the lead to install in a migration (op.get_bind()). On both
# engines an UPDATE may only null actor_id/agency_id (ON DELETE SET NULL of a user or
# agency) and, on PostgreSQL, change `detail` inside redact(); every DELETE is refused.
_UNCHANGED = ("id", "at", "action", "target_type", "target_id", "ip")
POSTGRES_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (NEW.id, NEW.at, NEW.action, NEW.target_type, NEW.target_id, NEW.ip)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.action, OLD.target_type, OLD.target_id, OLD.ip)
     AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
     AND (NEW.agency_id IS NULL OR NEW.agency_id IS NOT DISTINCT FROM OLD.agency_id)
     AND (NEW.detail::text IS NOT DISTINCT FROM OLD.detail::text
          OR current_setting('signpost.audit_redaction', true) = 'on')
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
_SQLITE_KEPT = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _UNCHANGED)
# SQLite has no session settings, so there `detail` stays open to redaction.
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
WHEN NOT ({_SQLITE_KEPT}
  AND (NEW.actor_id IS NULL OR NEW.actor_id IS OLD.actor_id)
  AND (NEW.agency_id IS NULL OR NEW.agency_id IS OLD.agency_id))
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
)


def install_append_only_trigger(connection, *, block_delete: bool = True) -> None:
    """Make the database itself refuse changes to audit_event (call from a migration)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(POSTGRES_TRIGGER)
    elif connection.dialect.name == "sqlite":
        for ddl in SQLITE_TRIGGERS if block_delete else SQLITE_TRIGGERS[:1]:
            connection.exec_driver_sql(ddl)


def remove_append_only_trigger(connection) -> None:
    """Drop the triggers again (a migration's downgrade)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS audit_event_append_only()")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")


# --- Finding events -------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What an admin narrowed the log to; None means any."""

    action: str | None = None
    actor_email: str | None = None
    agency_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    target_type: str | None = None


def _query(filters: Filters, scope: Scope | None = None):
    actor = aliased(User)
    query = (
        select(AuditEvent, actor.email, actor.name, Agency.name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(Agency, Agency.id == AuditEvent.agency_id)
    )
    if scope is not None:
        query = query.where(scope.agency_condition(AuditEvent.agency_id))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEvent.target_type == filters.target_type)
    if filters.agency_id is not None:
        query = query.where(AuditEvent.agency_id == filters.agency_id)
    if filters.date_from:
        query = query.where(AuditEvent.at >= dt.datetime.combine(filters.date_from, dt.time()))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time())
        query = query.where(AuditEvent.at < end)
    if filters.actor_email:
        email = filters.actor_email.strip().lower()
        # A failed sign-in for an unknown address has no actor, only the address typed.
        query = query.where(
            or_(
                actor.email.icontains(email, autoescape=True),
                (AuditEvent.actor_id.is_(None))
                & cast(AuditEvent.detail, Text).icontains(email, autoescape=True),
            )
        )
    return query


def search(
    filters: Filters, number: int = 1, per_page: int = 50, scope: Scope | None = None
) -> Pagination:
    """A page of the events matching `filters` (within `scope`), newest first.

    Each item is (AuditEvent, actor email | None, actor name | None, agency name | None)."""
    query = _query(filters, scope).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return paginate(query, number, per_page, rows=True)


EXPORT_HEADER = (
    "id",
    "at_utc",
    "action",
    "actor_id",
    "actor_email",
    "target_type",
    "target_id",
    "agency_id",
    "agency",
    "ip",
    "detail",
)


def export_rows(filters: Filters, scope: Scope | None = None):
    """The header, then every matching event as a CSV row, newest first."""
    yield EXPORT_HEADER
    query = _query(filters, scope).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    for ev, email, _name, agency in db.session.execute(query.execution_options(yield_per=1000)):
        yield (
            ev.id,
            ev.at.isoformat(sep=" ", timespec="seconds"),
            ev.action,
            ev.actor_id,
            email,
            ev.target_type,
            ev.target_id,
            ev.agency_id,
            agency,
            ev.ip,
            json.dumps(ev.detail or {}, sort_keys=True, default=str),
        )


def actions() -> list[str]:
    """Every action the log holds, for the filter list."""
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query))


def target_types() -> list[str]:
    """Every kind of target the log holds."""
    return list(
        db.session.scalars(
            select(AuditEvent.target_type)
            .where(AuditEvent.target_type.is_not(None))
            .distinct()
            .order_by(AuditEvent.target_type)
        )
    )
