"""Certificate timings: render one PDF, serve a stored one, build a ZIP of 500."""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).parent / "results" / "certificates.json"
PASSWORD = "benchmark passphrase words"  # noqa: S105 - a throwaway benchmark account


def _database(workdir: str) -> tuple[str, callable]:
    """A fresh database: a temp SQLite file, or a scratch PostgreSQL database."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{workdir}/bench.sqlite3", lambda: None
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = "signpost_bench_certificates"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _summary(times: list[float]) -> dict:
    return {
        "runs": len(times),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "min_ms": round(min(times) * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
    }


def _seed(count: int):
    """An agency lead, `count` staff each holding one certificate, all in one agency."""
    from signpost import certificates
    from signpost.extensions import db
    from signpost.models import Agency, AgencyKind, Course, CourseCompletion, Role, User, utcnow
    from signpost.passwords import hash_password

    agency = Agency(name="Benchmark Police", kind=AgencyKind.POLICE)
    course = Course(
        slug="bench", title="Child sexual exploitation: awareness for all staff", summary="",
        level=1, validity_months=24, cpd_hours=3.0, confidence=[], body_html="",
    )  # fmt: skip
    db.session.add_all([agency, course])
    db.session.flush()
    digest = hash_password(PASSWORD)
    lead = User(email="lead@bench.invalid", name="Lead", agency=agency, password_hash=digest)
    lead.set_roles({Role.AGENCY_LEAD})
    db.session.add(lead)
    modules = [
        {"module": f"m{i}", "version": 1, "label": "1.0", "title": f"Module {i}"} for i in range(4)
    ]
    for n in range(count):
        person = User(email=f"staff{n}@bench.invalid", name=f"Staff Member {n}", agency=agency)
        db.session.add(person)
        db.session.flush()
        done = CourseCompletion(
            user_id=person.id, course_id=course.id, round=1, completed_at=utcnow(),
            module_versions=modules,
        )  # fmt: skip
        db.session.add(done)
        db.session.flush()
        certificates.issue(done)
    db.session.commit()
    return lead


def main(argv=None) -> dict:
    """Run the certificate benchmark and write its JSON results."""
    parser = argparse.ArgumentParser(prog="benchmarks.certificates")
    parser.add_argument("--zip-size", type=int, default=500)
    args = parser.parse_args(argv)

    from app import create_app
    from blueprints.certificates.pdf import pdf_bytes, render_pdf
    from signpost.extensions import db
    from signpost.models import Base, Certificate

    with tempfile.TemporaryDirectory() as workdir:
        url, drop = _database(workdir)
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False}
        )
        try:
            with app.app_context():
                Base.metadata.create_all(db.engine)
                _seed(args.zip_size)
                first = db.session.scalar(db.select(Certificate).order_by(Certificate.id))
                with app.test_request_context():
                    cold = _timed(lambda: render_pdf(first), 1)
                    warm = _timed(lambda: render_pdf(first), 10)
                    started = time.perf_counter()
                    for cert in db.session.scalars(db.select(Certificate)).all():
                        pdf_bytes(cert)  # renders and stores each one, as first downloads would
                    prerender = time.perf_counter() - started
                client = app.test_client()
                token_page = client.get("/account/sign-in").get_data(as_text=True)
                import re

                token = re.search(
                    r'name="csrf_token" type="hidden" value="([^"]+)"', token_page
                ).group(1)
                client.post(
                    "/account/sign-in",
                    data={"email": "lead@bench.invalid", "password": PASSWORD, "csrf_token": token},
                )
                serve = _timed(lambda: client.get(f"/certificates/{first.id}.pdf").data, 50)
                zip_times = _timed(lambda: client.get("/certificates/agency.zip").data, 3)
                size = len(client.get("/certificates/agency.zip").data)
                engine = db.engine.dialect.name
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()
    results = {
        "engine": engine,
        "render_one_cold": _summary(cold),
        "render_one_warm": _summary(warm),
        "render_and_store_all_s": round(prerender, 2),
        "serve_stored": _summary(serve),
        f"zip_of_{args.zip_size}": {**_summary(zip_times), "bytes": size},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing[engine] = results
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
