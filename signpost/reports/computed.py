"""What course_record should hold, computed in SQL from progress, completions and certificates."""

import datetime as dt

from sqlalchemy import and_, case, exists, func, literal, select, union

from signpost.completion import add_months
from signpost.extensions import db
from signpost.models import (
    Assignment,
    Certificate,
    Course,
    CourseCompletion,
    CourseModule,
    CourseRecord,
    ModuleProgress,
    User,
    UserRole,
    utcnow,
)
from signpost.models.reporting import ROLE_BITS

COLUMNS = (
    "user_id", "course_id", "agency_id", "team_id", "roles", "assigned", "due_at", "started_at",
    "completion_id", "completed_at", "expires_at", "certificate_id", "updated_at",
)  # fmt: skip


def scope(stmt, user_column, course_column, users, courses):
    if users is not None:
        stmt = stmt.where(user_column.in_(sorted(users)))
    if courses is not None:
        stmt = stmt.where(course_column.in_(sorted(courses)))
    return stmt


def computed(users=None, courses=None, now: dt.datetime | None = None):
    """SELECT of what course_record should hold, for some people and courses or all."""
    # One statement built from named subqueries (started, ranked, live, newest, roles):
    # kept together so that each join below can be read against the subquery it uses.
    a, mp, cm = Assignment.__table__, ModuleProgress.__table__, CourseModule.__table__
    cc, cert, u = CourseCompletion.__table__, Certificate.__table__, User.__table__
    started = scope(
        select(mp.c.user_id, cm.c.course_id, func.min(mp.c.started_at).label("started_at"))
        .join(cm, cm.c.module_id == mp.c.module_id)
        .group_by(mp.c.user_id, cm.c.course_id),
        mp.c.user_id, cm.c.course_id, users, courses,
    ).cte("started")  # fmt: skip
    pairs = union(
        scope(select(a.c.user_id, a.c.course_id), a.c.user_id, a.c.course_id, users, courses),
        select(started.c.user_id, started.c.course_id),
        scope(select(cc.c.user_id, cc.c.course_id), cc.c.user_id, cc.c.course_id, users, courses),
    ).subquery("pairs")
    # Revoking (not replacing) a completion's certificate withdraws the completion.
    withdrawn = exists().where(
        cert.c.completion_id == cc.c.id,
        cert.c.revoked_at.is_not(None),
        cert.c.replaced_by_id.is_(None),
    )
    newest_first = (cc.c.completed_at.desc(), cc.c.round.desc())
    ranked = scope(
        select(
            cc.c.user_id, cc.c.course_id, cc.c.id.label("completion_id"), cc.c.completed_at,
            func.row_number()
            .over(partition_by=(cc.c.user_id, cc.c.course_id), order_by=newest_first)
            .label("rn"),
        ).where(~withdrawn),
        cc.c.user_id, cc.c.course_id, users, courses,
    ).subquery("ranked")  # fmt: skip
    live = scope(
        select(
            cert.c.completion_id,
            func.max(cert.c.id).label("certificate_id"),
            func.max(cert.c.expires_at).label("expires_at"),
        )
        .where(cert.c.revoked_at.is_(None), cert.c.replaced_by_id.is_(None))
        .group_by(cert.c.completion_id),
        cert.c.user_id, cert.c.course_id, users, courses,
    ).subquery("live")  # fmt: skip
    newest = scope(
        select(cert.c.user_id, cert.c.course_id, func.max(cert.c.id).label("certificate_id"))
        .group_by(cert.c.user_id, cert.c.course_id),
        cert.c.user_id, cert.c.course_id, users, courses,
    ).subquery("newest")  # fmt: skip
    role_rows = UserRole.__table__
    bits = case(
        *[(role_rows.c.role == role.value, bit) for role, bit in ROLE_BITS.items()], else_=0
    )
    roles = scope(
        select(role_rows.c.user_id, func.sum(bits).label("roles")).group_by(role_rows.c.user_id),
        role_rows.c.user_id, role_rows.c.user_id, users, None,
    ).subquery("roles")  # fmt: skip
    same = lambda t: and_(t.c.user_id == pairs.c.user_id, t.c.course_id == pairs.c.course_id)  # noqa: E731
    return (
        select(
            pairs.c.user_id,
            pairs.c.course_id,
            u.c.agency_id,
            u.c.team_id,
            func.coalesce(roles.c.roles, 0).label("roles"),
            a.c.id.is_not(None).label("assigned"),
            a.c.due_at,
            started.c.started_at,
            ranked.c.completion_id,
            ranked.c.completed_at,
            live.c.expires_at,
            func.coalesce(live.c.certificate_id, newest.c.certificate_id).label("certificate_id"),
            literal(now or utcnow(), CourseRecord.updated_at.type).label("updated_at"),
        )  # fmt: skip
        .select_from(pairs)
        .join(u, and_(u.c.id == pairs.c.user_id, u.c.active.is_(True), u.c.erased_at.is_(None)))
        .outerjoin(roles, roles.c.user_id == pairs.c.user_id)
        .outerjoin(a, same(a))
        .outerjoin(started, same(started))
        .outerjoin(ranked, and_(same(ranked), ranked.c.rn == 1))
        .outerjoin(live, live.c.completion_id == ranked.c.completion_id)
        .outerjoin(newest, same(newest))
    )


def fill_expiry(row: dict, validity: dict[int, int]) -> dict:
    # A completion with no certificate at all (none was issued): expiry from the course.
    if row["completed_at"] is not None and row["expires_at"] is None:
        row["expires_at"] = add_months(row["completed_at"], validity[row["course_id"]])
    return row


def validity(connection) -> dict[int, int]:
    return dict(connection.execute(select(Course.id, Course.validity_months)).all())


def snapshot(connection=None) -> list[tuple]:
    """Every course record as plain tuples (without updated_at), for comparing with a rebuild."""
    connection = connection or db.session.connection()
    r = CourseRecord
    columns = [getattr(r, name) for name in COLUMNS[:-1]]
    return [
        tuple(row) for row in connection.execute(select(*columns).order_by(r.user_id, r.course_id))
    ]


def recomputed(connection=None) -> list[tuple]:
    """What a fresh rebuild would hold, in snapshot()'s form, without writing anything."""
    connection = connection or db.session.connection()
    rows = [dict(row._mapping) for row in connection.execute(computed())]
    known = validity(connection)
    rows = [fill_expiry(row, known) for row in rows]
    return sorted(tuple(row[name] for name in COLUMNS[:-1]) for row in rows)
