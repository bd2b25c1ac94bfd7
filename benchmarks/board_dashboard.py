"""Board dashboard timings on a county-sized dataset, on SQLite and on PostgreSQL.

Generates the dataset (benchmarks/board_dashboard_data.py) into a scratch database (a temp
SQLite file; a PostgreSQL database `signpost_bench_reports`, created and dropped), rebuilds
the course records, then times real requests through the app, signed in as an admin:
the dashboard with no filter and with one filter, the CSV export and a drill-down. Target:
each under 1 second (median of several runs). Results go to benchmarks/results/.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).parent / "results" / "board_dashboard.json"
PG_DATABASE = "signpost_bench_reports"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_S = 1.0


def _postgres(admin_url: str):
    """A fresh scratch database and a function that drops it."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=PG_DATABASE).render_as_string(hide_password=False), drop


def _timed(fn, runs: int) -> dict:
    fn()  # warm caches, as a dashboard in use would be
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "runs": runs,
    }


def _get(client, url: str):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.data

    return fetch


def run_engine(url: str, learners: int, runs: int) -> dict:
    """Generate, rebuild and time on one database."""
    from app import create_app
    from benchmarks.board_dashboard_data import generate
    from signpost.extensions import db
    from signpost.models import Base, CourseRecord, Team, utcnow
    from signpost.reports.dashboard import build
    from signpost.reports.filters import Filters
    from signpost.reports.records import rebuild_records

    now = utcnow()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False})
    result: dict = {}
    with app.app_context():
        engine = db.engine
        started = time.perf_counter()
        Base.metadata.create_all(engine)
        result["schema_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        counts = generate(engine, learners, now)
        _analyse(engine)
        result["generate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with engine.begin() as conn:
            counts["course_records"] = rebuild_records(conn)
        _analyse(engine)
        result["rebuild_s"] = round(time.perf_counter() - started, 1)
        result["rows"] = counts
        team = db.session.scalar(db.select(Team.id).where(Team.agency_id == 1).limit(1))
        biggest = db.session.execute(
            db.select(CourseRecord.agency_id, CourseRecord.course_id)
            .group_by(CourseRecord.agency_id, CourseRecord.course_id)
            .order_by(db.func.count().desc())
            .limit(1)
        ).one()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{counts['admin_id']}.1"
            session["_fresh"] = True
        cell = f"agency={biggest[0]}&course={biggest[1]}&status=population"
        pages = {
            "dashboard_no_filter": "/reports/",
            "dashboard_agency_filter": "/reports/?agency=1",
            "dashboard_course_filter": "/reports/?course=1",
            "dashboard_team_filter": f"/reports/?team={team}",
            "dashboard_role_filter": "/reports/?role=learner",
            "export_csv_no_filter": "/reports/export.csv",
            "export_csv_agency_filter": "/reports/export.csv?agency=1",
            "drilldown_biggest_cell": f"/reports/cells?{cell}&sort=status",
            "drilldown_csv_biggest_cell": f"/reports/cells.csv?{cell}",
        }
        timings = {name: _timed(_get(client, page), runs) for name, page in pages.items()}
        timings["query_only_no_filter"] = _timed(lambda: build(Filters(), None, now=now), runs)
        timings["query_only_agency_filter"] = _timed(
            lambda: build(Filters(agency_id=1), None, now=now), runs
        )
        result["timings"] = timings
        result["all_under_1s"] = all(t["median_ms"] < TARGET_S * 1000 for t in timings.values())
        db.session.remove()
        engine.dispose()
    return result


def _analyse(engine) -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map for index-only scans)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def main(argv=None) -> dict:
    """Run the benchmark on each engine and write the results."""
    parser = argparse.ArgumentParser(prog="benchmarks.board_dashboard")
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=None, help="an admin URL for PostgreSQL")
    args = parser.parse_args(argv)
    pg_admin = args.pg_url or os.environ.get("DATABASE_URL") or DEFAULT_PG
    results = {
        "learners": args.learners,
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "target_ms": TARGET_S * 1000,
        "engines": {},
    }
    for name in args.engines.split(","):
        started = time.perf_counter()
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as workdir:
                outcome = run_engine(f"sqlite:///{workdir}/bench.sqlite3", args.learners, args.runs)
        elif name == "postgresql" and pg_admin.startswith("postgres"):
            try:
                url, drop = _postgres(pg_admin)
                print(f"created {PG_DATABASE} in {time.perf_counter() - started:.1f}s", flush=True)
            except Exception as error:  # noqa: BLE001 - no server here: say so and go on
                results["engines"][name] = {"skipped": f"PostgreSQL unavailable: {error}"[:300]}
                continue
            try:
                outcome = run_engine(url, args.learners, args.runs)
            finally:
                drop()
        else:
            continue
        outcome["total_s"] = round(time.perf_counter() - started, 1)
        results["engines"][name] = outcome
        print(f"{name}: " + json.dumps(outcome, indent=2), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
