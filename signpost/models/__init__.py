"""All models, imported here so that metadata and migrations see every table."""

from signpost.models.accounts import PasswordResetToken, SiteSetting
from signpost.models.audit import AuditEvent
from signpost.models.base import Base, utcnow
from signpost.models.people import (
    AGENCY_KIND_LABELS,
    ROLE_LABELS,
    Agency,
    AgencyKind,
    Role,
    Team,
    User,
    UserRole,
)

__all__ = [
    "AGENCY_KIND_LABELS",
    "ROLE_LABELS",
    "Agency",
    "AgencyKind",
    "AuditEvent",
    "Base",
    "PasswordResetToken",
    "Role",
    "SiteSetting",
    "Team",
    "User",
    "UserRole",
    "utcnow",
]
