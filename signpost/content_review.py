"""Modules whose newest version is past, or near, the date its content must be reviewed by."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from signpost.extensions import db
from signpost.models import Module, ModuleVersion

SOON_DAYS = 30


@dataclass(frozen=True)
class DueModule:
    """A module's newest version and how its review date stands."""

    slug: str
    title: str
    label: str
    number: int
    review_by: dt.date | None
    days_overdue: int | None  # negative: days still to go
    references: list


@dataclass(frozen=True)
class ReviewList:
    """Overdue (most overdue first), due within SOON_DAYS, and with no date set."""

    overdue: list[DueModule]
    soon: list[DueModule]
    undated: list[DueModule]


def due_for_review(today: dt.date, soon_days: int = SOON_DAYS) -> ReviewList:
    """Active modules whose newest version is due by `today + soon_days`, or has no date."""
    newest = (
        select(ModuleVersion.module_id, func.max(ModuleVersion.number).label("number"))
        .group_by(ModuleVersion.module_id)
        .subquery()
    )
    horizon = today + dt.timedelta(days=soon_days)
    versions = db.session.execute(
        select(ModuleVersion, Module.slug)
        .join(
            newest,
            (newest.c.module_id == ModuleVersion.module_id)
            & (newest.c.number == ModuleVersion.number),
        )
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(
            Module.active.is_(True),
            or_(ModuleVersion.review_by.is_(None), ModuleVersion.review_by <= horizon),
        )
        .order_by(ModuleVersion.review_by, ModuleVersion.title)
    ).all()
    found = ReviewList([], [], [])
    for version, slug in versions:
        days = (today - version.review_by).days if version.review_by else None
        item = DueModule(
            slug=slug,
            title=version.title,
            label=version.label,
            number=version.number,
            review_by=version.review_by,
            days_overdue=days,
            references=list(version.references or []),
        )
        if days is None:
            found.undated.append(item)
        elif days > 0:
            found.overdue.append(item)
        else:
            found.soon.append(item)
    return found
