"""Agencies, teams, users and their roles."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signpost.models.base import Base, utcnow


class AgencyKind(enum.StrEnum):
    """The sectors that take part in multi-agency safeguarding."""

    POLICE = "police"
    SOCIAL_CARE = "social_care"
    HEALTH = "health"
    EDUCATION = "education"
    YOUTH = "youth"
    HOUSING = "housing"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human name of the sector."""
        return AGENCY_KIND_LABELS[self]


AGENCY_KIND_LABELS = {
    AgencyKind.POLICE: "Police",
    AgencyKind.SOCIAL_CARE: "Children's social care",
    AgencyKind.HEALTH: "Health",
    AgencyKind.EDUCATION: "Education",
    AgencyKind.YOUTH: "Youth services",
    AgencyKind.HOUSING: "Housing",
    AgencyKind.VOLUNTARY: "Voluntary sector",
    AgencyKind.OTHER: "Other",
}


class Role(enum.StrEnum):
    """What a user may do; a user can hold several."""

    LEARNER = "learner"
    TRAINER = "trainer"
    AGENCY_LEAD = "agency_lead"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Human name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.LEARNER: "Learner",
    Role.TRAINER: "Trainer",
    Role.AGENCY_LEAD: "Agency lead",
    Role.AUDITOR: "Board auditor",
    Role.ADMIN: "Administrator",
}


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings with a CHECK constraint, portable to SQLite and PostgreSQL.
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda k: [m.value for m in k],
    )


class Agency(Base):
    """An organisation whose staff train on Signpost."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(_enum(AgencyKind, "agency_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teams: Mapped[list["Team"]] = relationship(
        back_populates="agency", order_by="Team.name", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Agency {self.name}>"


class Team(Base):
    """An optional grouping of staff within an agency."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="teams")


class User(UserMixin, Base):
    """A person who signs in; belongs to exactly one agency."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change so that every other signed-in session ends.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]  # personal details removed; anonymous records kept
    summary_emails: Mapped[bool] = mapped_column(default=True)  # agency leads' weekly summary

    agency: Mapped[Agency] = relationship()
    team: Mapped[Team | None] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        """The roles this user holds."""
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        """True if the user holds any of the given roles."""
        return bool(self.roles & set(roles))

    def set_roles(self, roles: set[Role]) -> None:
        """Replace the user's roles."""
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(roles - have)]

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), primary_key=True)
