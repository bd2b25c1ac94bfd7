"""Site-wide settings an admin changes at run time."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from signpost.models.base import Base


class SiteSetting(Base):
    """A named setting an admin can change at run time."""

    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
