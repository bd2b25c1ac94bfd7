"""A county-sized, made-up training dataset for the board dashboard benchmark.

At the default size: 50,000 learners in 8 agencies and 400 teams, 10 courses of 7 modules,
about 2 million module progress records and 100,000 completions, each with a certificate.
Rows go in with bulk core inserts (executemany on SQLite, COPY on PostgreSQL), not the ORM,
in batches of learners so that memory stays small; course records are then rebuilt in SQL.
"""

import datetime as dt
import json
import random
from collections.abc import Iterable

from sqlalchemy import Table

AGENCIES = [
    ("County Police", "police"),
    ("Children's Social Care", "social_care"),
    ("Community Health Trust", "health"),
    ("Schools and Colleges", "education"),
    ("Youth Service", "youth"),
    ("Housing Partnership", "housing"),
    ("Voluntary Sector Alliance", "voluntary"),
    ("Ambulance Service", "health"),
]
COURSES, MODULES_PER_COURSE = 10, 7
BATCH = 2000  # learners generated and inserted at a time
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def _code(number: int) -> str:
    digits = []
    for _ in range(16):
        number, rest = divmod(number, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[rest])
    return "".join(digits)


def _defaults(table: Table, row: dict) -> dict:
    """Fill columns the generator does not set from the model's Python-side defaults."""
    for column in table.columns:
        if column.name in row:
            continue
        default = column.default
        if default is not None and default.is_scalar:
            row[column.name] = default.arg
        elif default is not None and default.is_callable:
            row[column.name] = default.arg(None)
        else:
            row[column.name] = None
    return row


class Loader:
    """Bulk inserts on a raw DBAPI connection, the fastest way each database offers."""

    def __init__(self, engine):
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        if self.dialect == "postgresql":
            with self.raw.cursor() as cursor:  # skip FK triggers while loading consistent data
                cursor.execute("SET session_replication_role = replica")
        else:  # one transaction; a re-issued certificate names one loaded after it
            self.raw.execute("PRAGMA synchronous = OFF")
            self.raw.execute("PRAGMA foreign_keys = OFF")
            self.raw.execute("BEGIN")

    def _sqlite_value(self, value):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list | dict):
            return json.dumps(value)
        if isinstance(value, bool):
            return int(value)
        return value

    def insert(self, table: Table, rows: Iterable[dict]) -> int:
        """Insert `rows` (every column given) into `table`; returns how many."""
        rows = [_defaults(table, row) for row in rows]
        if not rows:
            return 0
        names = [c.name for c in table.columns]
        quoted = ", ".join(f'"{n}"' for n in names)
        if self.dialect == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row[n]) if isinstance(row[n], list | dict) else row[n]
                            for n in names
                        ]
                    )
        else:
            marks = ", ".join("?" for _ in names)
            self.raw.executemany(
                f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})',
                [[self._sqlite_value(row[n]) for n in names] for row in rows],
            )
        return len(rows)

    def finish(self) -> None:
        """Commit, and on PostgreSQL move each id sequence past the loaded ids."""
        if self.dialect == "postgresql":
            with self.raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE column_name = 'id' AND table_schema = 'public' "
                    "AND column_default LIKE 'nextval%'"
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'COALESCE((SELECT max(id) FROM "{name}"), 0) + 1, false)'
                    )
            self.raw.commit()
        else:
            self.raw.execute("COMMIT")
            self.raw.execute("PRAGMA foreign_keys = ON")
        self.raw.close()


def generate(engine, learners: int, now: dt.datetime, seed: int = 20261121) -> dict:
    """Fill an empty Signpost schema with the county dataset; returns row counts."""
    from signpost.models import (
        Agency,
        Assignment,
        Certificate,
        Course,
        CourseCompletion,
        CourseModule,
        Module,
        ModuleProgress,
        ModuleVersion,
        Team,
        User,
        UserRole,
    )

    t = {
        m: m.__table__
        for m in (
            Agency,
            Assignment,
            Certificate,
            Course,
            CourseCompletion,
            CourseModule,
            Module,
            ModuleProgress,
            ModuleVersion,
            Team,
            User,
            UserRole,
        )
    }
    rnd = random.Random(seed)
    load = Loader(engine)
    counts = dict.fromkeys(
        ("learners", "progress", "completions", "certificates", "assignments"), 0
    )
    load.insert(
        t[Agency],
        [
            {"id": i + 1, "name": n, "kind": k, "created_at": now}
            for i, (n, k) in enumerate(AGENCIES)
        ],
    )
    teams_per_agency = max(1, min(50, learners // 100))
    teams = [
        (a + 1, a * teams_per_agency + j + 1)
        for a in range(len(AGENCIES))
        for j in range(teams_per_agency)
    ]
    load.insert(
        t[Team], [{"id": tid, "agency_id": aid, "name": f"Team {tid}"} for aid, tid in teams]
    )
    validity = [12, 24, 36]
    courses = [
        {
            "id": c + 1,
            "slug": f"course-{c + 1}",
            "title": f"CSE course {c + 1}",
            "summary": "",
            "level": c % 3 + 1,
            "validity_months": validity[c % 3],
            "cpd_hours": 2.0,
            "confidence": [],
            "body_html": "",
            "active": True,
            "updated_at": now,
        }
        for c in range(COURSES)
    ]
    load.insert(t[Course], courses)
    modules = [
        (c + 1, c * MODULES_PER_COURSE + m + 1)
        for c in range(COURSES)
        for m in range(MODULES_PER_COURSE)
    ]
    load.insert(
        t[Module], [{"id": mid, "slug": f"module-{mid}", "active": True} for _, mid in modules]
    )
    load.insert(
        t[ModuleVersion],
        [
            {
                "id": mid,
                "module_id": mid,
                "number": 1,
                "checksum": "0" * 64,
                "label": "1.0",
                "title": f"Module {mid}",
                "summary": "",
                "level": 1,
                "audience": "All staff",
                "minutes": 20,
                "outcomes": [],
                "references": [],
                "completion": {},
                "intro_html": "",
                "created_at": now,
            }
            for _, mid in modules
        ],
    )
    load.insert(
        t[CourseModule],
        [
            {
                "id": mid,
                "course_id": cid,
                "module_id": mid,
                "position": (mid - 1) % MODULES_PER_COURSE + 1,
            }
            for cid, mid in modules
        ],
    )
    admin_id = learners + 1
    load.insert(
        t[User],
        [
            {
                "id": admin_id,
                "email": "admin@bench.invalid",
                "name": "Bench Admin",
                "agency_id": 1,
                "active": True,
                "session_version": 1,
                "created_at": now,
            }
        ],
    )
    load.insert(t[UserRole], [{"user_id": admin_id, "role": "admin"}])
    ids = {"progress": 0, "completion": 0, "certificate": 0, "assignment": 0}
    for first in range(1, learners + 1, BATCH):
        batch = _batch(
            rnd, range(first, min(first + BATCH, learners + 1)), teams, courses, now, ids
        )
        for model, key in (
            (User, None),
            (UserRole, None),
            (Assignment, "assignments"),
            (ModuleProgress, "progress"),
            (CourseCompletion, "completions"),
            (Certificate, "certificates"),
        ):
            added = load.insert(t[model], batch[model.__name__])
            if key:
                counts[key] += added
        counts["learners"] += len(batch["User"])
    load.finish()
    counts.update(agencies=len(AGENCIES), teams=len(teams), courses=COURSES, admin_id=admin_id)
    return counts


def _batch(rnd, user_ids, teams, courses, now, ids) -> dict:
    out = {
        name: []
        for name in (
            "User",
            "UserRole",
            "Assignment",
            "ModuleProgress",
            "CourseCompletion",
            "Certificate",
        )
    }
    day = dt.timedelta(days=1)
    for uid in user_ids:
        agency_id, team_id = rnd.choice(teams)
        out["User"].append(
            {
                "id": uid,
                "email": f"learner{uid}@bench.invalid",
                "name": f"Learner {uid:06d}",
                "agency_id": agency_id,
                "team_id": team_id,
                "active": rnd.random() > 0.02,
                "session_version": 1,
                "created_at": now - 900 * day,
            }
        )
        out["UserRole"].append({"user_id": uid, "role": "learner"})
        for course in courses:
            touched, assigned = rnd.random() < 0.8, rnd.random() < 0.6
            if assigned:
                ids["assignment"] += 1
                due = now + rnd.randint(-200, 200) * day
                out["Assignment"].append(
                    {
                        "id": ids["assignment"],
                        "user_id": uid,
                        "course_id": course["id"],
                        "due_at": due,
                        "assigned_at": due - 90 * day,
                    }
                )
            if not touched:
                continue
            done = rnd.random() < 0.25
            started = now - rnd.randint(30, 1080) * day
            first_module = (course["id"] - 1) * MODULES_PER_COURSE + 1
            count = MODULES_PER_COURSE if done else rnd.randint(1, MODULES_PER_COURSE)
            finished_at = started + rnd.randint(1, 25) * day
            for m in range(count):
                ids["progress"] += 1
                complete = done or m < count - 1
                out["ModuleProgress"].append(
                    {
                        "id": ids["progress"],
                        "user_id": uid,
                        "module_id": first_module + m,
                        "version_id": first_module + m,
                        "round": 1,
                        "started_at": started + m * day,
                        "completed_at": started + (m + 1) * day if complete else None,
                        "via": "online",
                    }
                )
            if done:
                _complete(rnd, out, ids, uid, agency_id, course, min(finished_at, now - day))
    return out


def _complete(rnd, out, ids, uid, agency_id, course, completed_at) -> None:
    from signpost.completion import add_months

    ids["completion"] += 1
    out["CourseCompletion"].append(
        {
            "id": ids["completion"],
            "user_id": uid,
            "course_id": course["id"],
            "round": 1,
            "completed_at": completed_at,
            "module_versions": [],
            "via": "online",
        }
    )
    cert = {
        "user_id": uid,
        "course_id": course["id"],
        "completion_id": ids["completion"],
        "sequence": 1,
        "holder_name": f"Learner {uid:06d}",
        "agency_name": AGENCIES[agency_id - 1][0],
        "agency_id": agency_id,
        "course_title": course["title"],
        "course_level": course["level"],
        "cpd_hours": 2.0,
        "completed_at": completed_at,
        "module_versions": [],
        "expires_at": add_months(completed_at, course["validity_months"]),
        "issued_at": completed_at,
    }
    ids["certificate"] += 1
    out["Certificate"].append({**cert, "id": ids["certificate"], "code": _code(ids["certificate"])})
    roll = rnd.random()
    if roll < 0.01:  # revoked: the completion no longer counts
        out["Certificate"][-1].update(
            revoked_at=completed_at + dt.timedelta(days=3), revoked_reason="Bench"
        )
    elif roll < 0.015:  # re-issued: the old one replaced by a new, current one
        ids["certificate"] += 1
        out["Certificate"][-1].update(revoked_at=completed_at, replaced_by_id=ids["certificate"])
        out["Certificate"].append(
            {**cert, "id": ids["certificate"], "code": _code(ids["certificate"]), "sequence": 2}
        )
