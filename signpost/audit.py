"""Recording significant actions in the append-only audit log."""

from signpost.extensions import db
from signpost.models import AuditEvent, User


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
        ip=ip,
        detail=detail,
    )
    db.session.add(event)
    return event
