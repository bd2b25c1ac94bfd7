"""People import timings: check and import 10,000 CSV rows, re-import them, send the emails."""

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).parent / "results" / "user_import.json"
SCRATCH_DB = "signpost_bench_user_import"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AGENCIES = [
    ("County Police", "police", ["Public Protection Unit", "Neighbourhood North", "CID"]),
    ("County Children's Services", "social_care", ["Assessment", "MASH", "Looked After"]),
    ("County Community Health", "health", ["Health Visiting", "School Nursing", "CAMHS"]),
    ("Riverside Academy Trust", "education", ["Safeguarding Leads", "Pastoral"]),
    ("County Youth Service", "youth", ["Detached Youth Work", "Youth Justice"]),
    ("District Housing", "housing", ["Tenancy Support", "Homelessness"]),
    ("Safe Futures Charity", "voluntary", ["Outreach", "Helpline"]),
    ("Other Partners", "other", ["Transport", "Licensing"]),
]
FIRST = ["Aisha", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Grace", "Hamza", "Isla", "Jack",
         "Kofi", "Lena", "Mo", "Niamh", "Owen", "Priya", "Rhys", "Sofia", "Tom", "Zoë"]  # fmt: skip
LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "O'Neill", "Khan", "Kowalski",
        "Murphy", "Nowak", "Patel", "Roberts", "Singh", "Taylor", "Walsh", "Wright"]  # fmt: skip
TITLES = ["Police constable", "Social worker", "Health visitor", "Teacher", "Youth worker",
          "Housing officer", "Outreach worker", "Designated safeguarding lead"]  # fmt: skip


def make_csv(rows: int, seed: int = 7) -> bytes:
    """A realistic file of `rows` new people across the agencies and their teams."""
    rng = random.Random(seed)
    lines = ["name,email,agency,team,roles,job title"]
    for n in range(rows):
        agency, _, teams = AGENCIES[n % len(AGENCIES)]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.lower().replace(' ', '.').replace(chr(39), '')}.{n}@bench.example.org"
        team = rng.choice(teams + [""])
        roles = "learner; trainer" if n % 50 == 0 else "learner"
        title = rng.choice(TITLES)
        lines.append(f'"{name}",{email},"{agency}",{team},{roles},"{title}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def _database(engine_name: str, workdir: str) -> tuple[str | None, callable]:
    """A fresh database for one engine, or (None, ...) if that engine is unreachable."""
    if engine_name == "sqlite":
        return f"sqlite:///{workdir}/bench.sqlite3", lambda: None
    url = os.environ.get("DATABASE_URL") or LOCAL_POSTGRES
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{SCRATCH_DB}"'))
    except Exception as error:  # no server here: report and carry on with SQLite
        print(f"PostgreSQL skipped: {error.__class__.__name__}")
        return None, lambda: None

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=SCRATCH_DB).render_as_string(hide_password=False), drop


def _seed():
    """Agencies with teams, an admin, and one assignment rule per agency."""
    from signpost.extensions import db
    from signpost.models import Agency, AgencyKind, AssignmentRule, Course, Role, Team, User

    course = Course(slug="bench", title="CSE awareness", level=1, validity_months=24,
                    cpd_hours=3.0)  # fmt: skip
    db.session.add(course)
    for name, kind, teams in AGENCIES:
        agency = Agency(name=name, kind=AgencyKind(kind))
        db.session.add(agency)
        db.session.flush()
        db.session.add_all([Team(agency_id=agency.id, name=t) for t in teams])
        db.session.add(AssignmentRule(course_id=course.id, agency_id=agency.id, due_days=90))
    admin = User(name="Bench Admin", email="admin@bench.example.org", agency_id=agency.id)
    admin.set_roles({Role.ADMIN})
    db.session.add(admin)
    db.session.commit()
    return admin


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - started, 3)


def bench_engine(engine_name: str, rows: int, workdir: str) -> dict | None:
    """Check, import and re-import `rows` people on one engine."""
    from app import create_app
    from signpost import assigning, user_import
    from signpost.extensions import db
    from signpost.models import Assignment, Base, User

    url, drop = _database(engine_name, workdir)
    if url is None:
        return None
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_SERVER": None})
    try:
        with app.app_context():
            Base.metadata.create_all(db.engine)
            admin = _seed()
            data = make_csv(rows)
            checked, validate_s = _timed(lambda: user_import.preview(data, admin))
            assert checked.count("new") == rows, checked.errors[:3]
            signed, sign_s = _timed(lambda: user_import.sign(checked, admin, "k" * 40))

            def confirm():
                text_, _ = user_import.unsign(signed, admin, "k" * 40, 3600)
                again = user_import.check_text(text_, admin)
                outcome = user_import.apply(again, admin)
                db.session.commit()
                return outcome

            rules_s = [0.0]
            real_apply = assigning.apply_rules_to_users

            def timed_apply(users):
                started = time.perf_counter()
                try:
                    return real_apply(users)
                finally:
                    rules_s[0] += time.perf_counter() - started

            assigning.apply_rules_to_users = timed_apply
            try:
                outcome, import_s = _timed(confirm)
            finally:
                assigning.apply_rules_to_users = real_apply
            count = db.session.scalar(db.select(db.func.count()).select_from(User)) - 1
            assigned = db.session.scalar(db.select(db.func.count()).select_from(Assignment))
            second, reimport_validate_s = _timed(lambda: user_import.preview(data, admin))
            assert second.count("unchanged") == rows and not second.changes_anything
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    return {
        "engine": engine_name,
        "rows": rows,
        "file_bytes": len(data),
        "parse_and_validate_s": validate_s,
        "validate_rows_per_s": round(rows / validate_s),
        "signed_preview_field_bytes": len(signed),
        "sign_s": sign_s,
        "confirm_s": import_s,
        "confirm_rows_per_s": round(rows / import_s),
        "confirm_includes": "unsign + re-validate + insert people, roles, set-password tokens, "
        "assignment rules (1 per agency) + commit",
        "of_which_apply_rules_s": round(rules_s[0], 3),
        "confirm_without_rules_s": round(import_s - rules_s[0], 3),
        "confirm_without_rules_rows_per_s": round(rows / (import_s - rules_s[0])),
        "people_created": count,
        "created_reported": len(outcome.created),
        "assignments_created": assigned,
        "reimport_parse_and_validate_s": reimport_validate_s,
    }


def bench_email(count: int) -> dict:
    """Send `count` set-password emails to a local SMTP server, as a confirmation would."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return {"skipped": "aiosmtpd is not installed (pip install -e '.[test]')"}
    import logging
    import socket

    from app import create_app
    from blueprints.people.emails import send_all
    from signpost.models import Agency, AgencyKind, User

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            Sink.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
        )
        agency = Agency(id=1, name="County Police", kind=AgencyKind.POLICE)
        people = [
            (User(id=n, name=f"Person {n}", email=f"p{n}@bench.example.org", agency=agency), "t")
            for n in range(count)
        ]
        with app.test_request_context():
            failed, seconds = _timed(lambda: send_all(people))
    finally:
        controller.stop()
    per_s = count / seconds
    return {
        "emails": count,
        "failed": failed,
        "received": Sink.received,
        "seconds": seconds,
        "emails_per_s": round(per_s, 1),
        "estimated_s_for_10000": round(10_000 / per_s, 1),
        "note": "Sent after the import's commit, one SMTP connection per message, to a local "
        "aiosmtpd; kept out of the import timings so they measure the database work alone.",
    }


def main(argv=None) -> dict:
    """Run the people-import benchmark on SQLite and PostgreSQL; write the JSON results."""
    parser = argparse.ArgumentParser(prog="benchmarks.user_import")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    # Merged into the file by key, so that a run of one engine keeps the other's figures.
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    with tempfile.TemporaryDirectory() as workdir:
        for engine_name in (e.strip() for e in args.engines.split(",")):
            try:
                measured = bench_engine(engine_name, args.rows, workdir)
            except Exception as error:  # record it: a failure at this size is a finding too
                measured = {"engine": engine_name, "rows": args.rows,
                            "error": f"{error.__class__.__name__}: {str(error)[:300]}"}  # fmt: skip
            if measured is not None:
                key = engine_name if args.rows == 10_000 else f"{engine_name}_{args.rows}_rows"
                results[key] = measured
                print(json.dumps(measured, indent=2), flush=True)
    if args.emails:
        results["email"] = bench_email(args.emails)
        print(json.dumps(results["email"], indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


def run() -> dict:
    """Entry point for `python -m benchmarks`."""
    return main([])


if __name__ == "__main__":
    main()
