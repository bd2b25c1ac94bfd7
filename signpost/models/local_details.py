"""Local details (whom to call here) and the partnership's logo."""

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from signpost.models.base import Base, utcnow


class LocalDetail(Base):
    """One local detail: the partnership's value (no agency) or one agency's override."""

    __tablename__ = "local_detail"
    __table_args__ = (UniqueConstraint("key", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


# NULLs are distinct in a unique constraint, so the partnership's own values (no agency)
# need an index of their own to keep one row per key.
_partnership = LocalDetail.agency_id.is_(None)
Index(
    "uq_local_detail_partnership_key",
    LocalDetail.key,
    unique=True,
    sqlite_where=_partnership,
    postgresql_where=_partnership,
)


class PartnershipLogo(Base):
    """The partnership's logo, kept in the database so that every app server has it."""

    __tablename__ = "partnership_logo"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1: there is one logo
    data: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
