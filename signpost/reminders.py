"""Reminder emails: who gets which, each claimed once per rule and period before sending.

A reminder is claimed by inserting its ReminderLog row in a transaction of its own; the
unique constraint (user, kind, subject, period) lets exactly one run or server win. The
winner sends, then marks the row sent; if sending fails the claim is removed so that the
next run tries again. Rendering and SMTP belong to the `send` callable the caller passes in.
"""

import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from signpost import assignment_status, audit
from signpost.config import expiring_days
from signpost.extensions import db
from signpost.models import (
    Agency,
    Assignment,
    Certificate,
    Course,
    ReminderLog,
    Role,
    User,
    UserRole,
    utcnow,
)

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 7
# A claim never marked sent this long after it was made belongs to a run that died
# before sending; it may be taken over. (A run that sent but died before marking sends again.)
STALE_CLAIM = dt.timedelta(hours=1)
UNSUBSCRIBE_SALT = "signpost.summary-unsubscribe"


@dataclass
class Reminder:
    """One email to one person; `data` holds plain values only, so sending needs no database."""

    kind: str  # due_soon | overdue | expiring | lead_summary
    user_id: int
    email: str
    name: str
    subject: str
    period: str
    data: dict = field(default_factory=dict)


@dataclass
class Report:
    """What a run did."""

    renewals: int = 0
    sent: Counter = field(default_factory=Counter)
    skipped: int = 0  # already sent (or being sent) by an earlier or parallel run
    failed: list = field(default_factory=list)  # (kind, email, error)


def iso_week(moment: dt.datetime) -> str:
    """E.g. 2026-W47."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _reachable():
    return [User.active.is_(True), User.erased_at.is_(None)]


def learner_reminders(now: dt.datetime, due_soon_days: int = DUE_SOON_DAYS) -> list[Reminder]:
    """Assigned courses due within `due_soon_days` and not done, and those overdue."""
    rows = db.session.execute(
        select(Assignment.user_id, Assignment.due_at, User.email, User.name, Course)
        .join(User, User.id == Assignment.user_id)
        .join(Course, Course.id == Assignment.course_id)
        .where(
            *_reachable(),
            Course.active.is_(True),
            Assignment.due_at.is_not(None),
            Assignment.due_at <= now + dt.timedelta(days=due_soon_days),
        )
        .order_by(Assignment.due_at, Assignment.user_id)
    ).all()
    by_course = defaultdict(list)
    for row in rows:
        by_course[row.Course.id].append(row)
    found = []
    for course_rows in by_course.values():
        course = course_rows[0].Course
        status = assignment_status.statuses(course, {r.user_id: r.due_at for r in course_rows}, now)
        for r in course_rows:
            data = {"course_title": course.title, "course_slug": course.slug, "due_at": r.due_at}
            base = {
                "user_id": r.user_id,
                "email": r.email,
                "name": r.name,
                "subject": f"course:{course.id}",
                "data": data,
            }
            if r.due_at >= now and status[r.user_id] != "completed":
                found.append(Reminder("due_soon", period=f"due:{r.due_at.date()}", **base))
            elif r.due_at < now and status[r.user_id] == "overdue":
                found.append(Reminder("overdue", period=iso_week(now), **base))
    return found


def expiring_reminders(now: dt.datetime) -> list[Reminder]:
    """Certificates expiring within the window that no newer certificate supersedes."""
    newer = aliased(Certificate)
    superseded = exists().where(
        newer.user_id == Certificate.user_id,
        newer.course_id == Certificate.course_id,
        newer.revoked_at.is_(None),
        newer.expires_at > Certificate.expires_at,
    )
    rows = db.session.execute(
        select(Certificate, User.email, User.name)
        .join(User, User.id == Certificate.user_id)
        .where(
            *_reachable(),
            Certificate.revoked_at.is_(None),
            Certificate.replaced_by_id.is_(None),
            Certificate.expires_at > now,
            Certificate.expires_at <= now + dt.timedelta(days=expiring_days()),
            ~superseded,
        )
        .order_by(Certificate.expires_at, Certificate.id)
    ).all()
    return [
        Reminder(
            "expiring",
            cert.user_id,
            email,
            name,
            subject=f"certificate:{cert.id}",
            period=f"expires:{cert.expires_at.date()}",
            data={
                "course_title": cert.course_title,
                "course_id": cert.course_id,
                "expires_at": cert.expires_at,
                "certificate_id": cert.id,
            },
        )
        for cert, email, name in rows
    ]


def lead_reminders(now: dt.datetime) -> list[Reminder]:
    """A weekly summary for each agency lead who wants one, where anything is assigned."""
    staff_assigned = exists().where(
        Assignment.user_id == User.id, User.agency_id == Agency.id, *_reachable()
    )
    lead = aliased(User)
    rows = db.session.execute(
        select(lead.id, lead.email, lead.name, lead.agency_id)
        .join(Agency, Agency.id == lead.agency_id)
        .where(
            lead.active.is_(True),
            lead.erased_at.is_(None),
            lead.summary_emails.is_(True),
            lead.role_rows.any(UserRole.role == Role.AGENCY_LEAD),
            staff_assigned.correlate(Agency),
        )
        .order_by(lead.id)
    ).all()
    return [
        Reminder(
            "lead_summary",
            uid,
            email,
            name,
            subject=f"agency:{agency_id}",
            period=iso_week(now),
            data={"agency_id": agency_id},
        )
        for uid, email, name, agency_id in rows
    ]


def agency_summary(agency_id: int, now: dt.datetime) -> dict:
    """Counts by status of the agency's assigned courses, and who is overdue with what."""
    rows = db.session.execute(
        select(Assignment.user_id, Assignment.due_at, User.name, Course)
        .join(User, User.id == Assignment.user_id)
        .join(Course, Course.id == Assignment.course_id)
        .where(User.agency_id == agency_id, *_reachable(), Course.active.is_(True))
    ).all()
    by_course = defaultdict(list)
    for row in rows:
        by_course[row.Course.id].append(row)
    counts, overdue = Counter(), []
    for course_rows in by_course.values():
        course = course_rows[0].Course
        status = assignment_status.statuses(course, {r.user_id: r.due_at for r in course_rows}, now)
        for r in course_rows:
            counts[status[r.user_id]] += 1
            if status[r.user_id] == "overdue":
                overdue.append({"name": r.name, "course_title": course.title, "due_at": r.due_at})
    overdue.sort(key=lambda o: (o["name"].lower(), o["course_title"]))
    return {
        "agency_name": db.session.get(Agency, agency_id).name,
        "total": len(rows),
        "counts": {
            key: counts.get(key, 0)
            for key in (
                "completed",
                "in_progress",
                "not_started",
                "overdue",
                "expiring_soon",
                "expired",
            )
        },
        "overdue": overdue,
    }


def claim(reminder: Reminder) -> int | None:
    """Insert this reminder's log row; None if another run has it already."""
    for _ in range(2):
        row = ReminderLog(
            user_id=reminder.user_id,
            kind=reminder.kind,
            subject=reminder.subject,
            period=reminder.period,
            claimed_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
            return row.id
        except IntegrityError:
            pass
        if not _take_over_stale(reminder):
            return None
    return None


def _take_over_stale(reminder: Reminder) -> bool:
    # One atomic conditional delete: of several runs seeing the stale claim, one removes it.
    removed = db.session.execute(
        delete(ReminderLog).where(
            ReminderLog.user_id == reminder.user_id,
            ReminderLog.kind == reminder.kind,
            ReminderLog.subject == reminder.subject,
            ReminderLog.period == reminder.period,
            ReminderLog.sent_at.is_(None),
            ReminderLog.claimed_at < utcnow() - STALE_CLAIM,
        )
    ).rowcount
    return removed == 1


def release(claim_id: int) -> None:
    """Give a claim back after a failed send, so that the next run tries again."""
    db.session.execute(delete(ReminderLog).where(ReminderLog.id == claim_id))


def mark_sent(claim_id: int) -> None:
    """Record that a claimed reminder went out."""
    db.session.execute(
        update(ReminderLog).where(ReminderLog.id == claim_id).values(sent_at=utcnow())
    )


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(secret: str, user_id: int) -> str:
    """A signed token naming the lead; it does not expire, as unsubscribe links should not."""
    return _serializer(secret).dumps({"u": user_id})


def user_for_token(secret: str, token: str) -> User | None:
    """The person a valid unsubscribe token names; None if it was tampered with."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature:
        return None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.erased_at is None else None


def unsubscribe(user: User, ip: str | None = None) -> bool:
    """Stop the weekly summary emails; returns False if they were already off."""
    if not user.summary_emails:
        return False
    user.summary_emails = False
    audit.record("summary_emails_unsubscribed", actor=user, target=user, ip=ip)
    return True
