"""Lesson-page and quiz-submit throughput under gunicorn, compared with a bare endpoint.

gunicorn serves `benchmarks.bench_app:create()` (the real app plus GET /bench/ok, which
returns "ok") with the deployment guide's settings, 4 sync workers, on a free 127.0.0.1 port.
The database is a fresh one: a SQLite file in a temporary folder, or, when DATABASE_URL
points at PostgreSQL, a separate database `signpost_bench_learners` on that server (the tests'
database is left alone), migrated, with content/ imported and learner accounts created.

20 client threads, each signed in as its own learner through the real sign-in form, then
measure in turn (nothing else runs during a measurement):

  bare_ok      GET /bench/ok, no session
  lesson_page  GET the first lesson of the first module with a quiz, signed in
  quiz_submit  POST the correct answers to an attempt started beforehand (one per learner)
  bare_ok_again  the same as bare_ok, to see whether the machine's speed drifted during the run

For each: requests, errors, rps, p50/p95/p99 latency in ms, CPU used by the clients and by
the gunicorn workers (in cores), and rps as a ratio of the bare endpoint's (the mean of its
two runs). The ratio is the figure to compare between machines. Results are written to
benchmarks/results/learner_throughput.json, one entry per database engine.
"""

import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchmarks import RESULTS, ROOT
from benchmarks.bench_app import BARE_PATH

NAME = "learner_throughput"
CLIENTS = 20
WORKERS = 4
WORKER_CLASS = "sync"
BARE_REQUESTS = 250  # per client
LESSON_REQUESTS = 100  # per client
SUBMITS = 10  # per client, each to its own learner's attempt
PHASE_SECONDS = 30  # a measurement stops early after this long, whatever its count
BENCH_DATABASE = "signpost_bench_learners"  # not the tests' database, nor other benchmarks'
PASSWORD = "benchmark learner password"  # noqa: S105 - a throwaway account's password

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
KEY_RE = re.compile(r'name="key" value="([^"]+)"')
OPTION_RE = re.compile(r'name="(q\d+)" value="(\d+)"')


class BenchError(RuntimeError):
    """The benchmark could not be set up or run."""


# ---------------------------------------------------------------------------- the database


def bench_database(workdir: Path) -> tuple[str, str]:
    """A fresh, empty database for this run: (SQLAlchemy URL, engine name)."""
    from sqlalchemy import create_engine, make_url, text

    from signpost.config import normalise_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return "sqlite:///" + str(workdir / "bench.sqlite3"), "sqlite"
    admin = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    finally:
        admin.dispose()
    target = make_url(normalise_database_url(url)).set(database=BENCH_DATABASE)
    return target.render_as_string(hide_password=False), "postgresql"


def drop_bench_database(engine_name: str) -> None:
    if engine_name != "postgresql":
        return
    from sqlalchemy import create_engine, text

    from signpost.config import normalise_database_url

    admin = create_engine(
        normalise_database_url(os.environ["DATABASE_URL"]), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Site:
    """What the clients need to know about the populated database."""

    module: str
    lesson: str
    emails: list[str]
    correct: set[int]


def populate(url: str, secret: str, learners: int) -> Site:
    """Migrate (as `flask db upgrade` does), import content/ and create the learners."""
    import flask_migrate
    from sqlalchemy import select

    from app import create_app
    from signpost import catalogue
    from signpost.content.importer import import_content
    from signpost.extensions import db
    from signpost.models import Agency, AgencyKind, Option, Role, User
    from signpost.passwords import hash_password

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret,
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        import_content(ROOT / "content")
        module = version = None
        for course in catalogue.active_courses():
            for candidate in course.modules:
                latest = catalogue.latest_version(candidate.id)
                if latest.quiz is not None and latest.lessons:
                    module, version = candidate, latest
                    break
            if module is not None:
                break
        if module is None:
            raise BenchError("content/ has no module with lessons and a quiz")
        agency = Agency(name="Benchmark agency", kind=AgencyKind.OTHER)
        password_hash = hash_password(PASSWORD)  # once: hashing is deliberately slow
        emails = [f"bench-learner-{n}@example.org" for n in range(learners)]
        for n, email in enumerate(emails):
            user = User(
                email=email, name=f"Learner {n}", agency=agency, password_hash=password_hash
            )
            user.set_roles({Role.LEARNER})
            db.session.add(user)
        db.session.commit()
        correct = set(db.session.scalars(select(Option.id).where(Option.correct.is_(True))))
        site = Site(module.slug, version.lessons[0].slug, emails, correct)
        db.session.remove()
        db.engine.dispose()
    return site


def settle(url: str) -> None:
    """On PostgreSQL, vacuum and analyse the freshly written tables now, so that autovacuum
    does not do it (on a busy CPU) during the first measurement."""
    if not url.startswith("postgres"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the benchmark app, started and stopped by this process."""

    def __init__(self, url: str, secret: str, workdir: Path):
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "MAIL_"))}
        env.update(
            DATABASE_URL=url, SECRET_KEY=secret, SIGNPOST_ENV="development", LOG_LEVEL="INFO"
        )
        self.command = [
            sys.executable, "-m", "gunicorn",
            "--workers", str(WORKERS),
            "--worker-class", WORKER_CLASS,
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "60",
            "benchmarks.bench_app:create()",
        ]  # fmt: skip
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _, _ = Browser(self.port).request("GET", BARE_PATH)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within {timeout}s:\n{self.log_tail()}")

    def worker_cpu_seconds(self) -> float | None:
        """User + system CPU time of the gunicorn workers so far (Linux /proc), or None."""
        try:
            pid = self.process.pid
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            ticks = 0
            for child in children:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
            return ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish and exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


# ------------------------------------------------------------------------------ the clients


class Browser:
    """An HTTP/1.1 connection with its own cookie jar: one learner's browser."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        """Send a request; returns (status, Location path or None, body text)."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            # A sync worker closes the connection after each response; http.client reopens it.
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.partition("=")
            if value and "max-age=0" not in attributes.lower():
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)
        where = response.getheader("Location")
        return response.status, urlsplit(where).path if where else None, data.decode()

    def csrf_token(self, path: str) -> str:
        status, _, html = self.request("GET", path)
        match = CSRF_RE.search(html)
        if status != 200 or not match:
            raise BenchError(f"no form on {path} ({status})")
        return match.group(1)

    def expect(self, status: int, method: str, path: str, form: dict | None = None):
        got, where, body = self.request(method, path, form)
        if got != status:
            raise BenchError(f"{method} {path}: expected {status}, got {got}: {body[:300]}")
        return where, body


@dataclass
class Learner:
    """A signed-in learner with a quiz attempt open and its answers ready to send."""

    browser: Browser
    attempt_path: str = ""
    answers: dict = field(default_factory=dict)


def prepare_learner(port: int, site: Site, email: str) -> Learner:
    """Sign in through the form, start the module and a quiz attempt, read its questions."""
    browser = Browser(port)
    token = browser.csrf_token("/account/sign-in")
    browser.expect(
        302, "POST", "/account/sign-in", {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    module = f"/learn/modules/{site.module}"
    # Signing in keeps the session's CSRF secret, so this token serves every form after it.
    browser.expect(302, "POST", f"{module}/start", {"csrf_token": token})
    attempt, _ = browser.expect(302, "POST", f"{module}/quiz/start", {"csrf_token": token})
    _, html = browser.expect(200, "GET", attempt)
    answers: dict[str, list[str]] = {}
    for name, option in OPTION_RE.findall(html):
        answers.setdefault(name, [])
        if int(option) in site.correct:
            answers[name].append(option)
    key = KEY_RE.search(html)
    if not answers or key is None:
        raise BenchError(f"no questions on {attempt}")
    form = {**answers, "key": key.group(1), "csrf_token": token}
    return Learner(browser, attempt, form)


def in_parallel(jobs: list, worker) -> list:
    """Run `worker(job)` for each job on CLIENTS threads; returns results in order."""
    results: list = [None] * len(jobs)
    failures: list = []
    lock = threading.Lock()
    queue = list(enumerate(jobs))

    def loop():
        while True:
            with lock:
                if not queue or failures:
                    return
                index, job = queue.pop()
            try:
                results[index] = worker(job)
            except Exception as error:
                with lock:
                    failures.append(error)

    threads = [threading.Thread(target=loop) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"preparing failed: {failures[0]}")
    return results


# ------------------------------------------------------------------------------ measuring

Request = tuple[str, str, dict | None, int, str | None]  # method, path, form, status, Location


def measure(server: Server, browsers: list[Browser], work: list[list[Request]]) -> dict:
    """Each browser sends its requests in turn, all starting together; returns the figures."""
    latencies: list[list[float]] = [[] for _ in browsers]
    errors = [0] * len(browsers)
    start = threading.Barrier(len(browsers) + 1)
    ended = [0.0] * len(browsers)

    def client(index: int) -> None:
        browser = browsers[index]
        start.wait()
        stop = time.perf_counter() + PHASE_SECONDS
        for method, path, form, status, location in work[index]:
            if time.perf_counter() > stop:
                break
            began = time.perf_counter()
            try:
                got, where, _ = browser.request(method, path, form)
                ok = got == status and (location is None or where == location)
            except (http.client.HTTPException, OSError):
                ok = False
            took = time.perf_counter() - began
            if ok:
                latencies[index].append(took)
            else:
                errors[index] += 1
        ended[index] = time.perf_counter()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    cpu_before, server_before = time.process_time(), server.worker_cpu_seconds()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = max(ended) - began
    cpu = time.process_time() - cpu_before
    server_after = server.worker_cpu_seconds()
    samples = sorted(t for per_client in latencies for t in per_client)
    figures = {
        "requests": len(samples) + sum(errors),
        "errors": sum(errors),
        "seconds": round(wall, 3),
        "rps": round(len(samples) / wall, 1) if wall > 0 else 0.0,
        "p50_ms": percentile_ms(samples, 50),
        "p95_ms": percentile_ms(samples, 95),
        "p99_ms": percentile_ms(samples, 99),
        "client_cpu_cores": round(cpu / wall, 2) if wall > 0 else None,
        "server_cpu_cores": (
            round((server_after - server_before) / wall, 2)
            if wall > 0 and server_before is not None and server_after is not None
            else None
        ),
    }
    return figures


def percentile_ms(sorted_seconds: list[float], pct: float) -> float | None:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_seconds:
        return None
    rank = max(1, -(-len(sorted_seconds) * pct // 100))  # ceil
    return round(sorted_seconds[int(rank) - 1] * 1000, 2)


# ------------------------------------------------------------------------------ the run


def main(argv: list[str] | None = None) -> dict:
    """`python -m benchmarks learner_throughput`: no options; DATABASE_URL picks the engine."""
    return run()


def run() -> dict:
    """Run the benchmark, write its results file and return the entry for this engine."""
    started = time.perf_counter()
    secret = secrets.token_urlsafe(48)
    workdir = Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    server = None
    engine_name = "sqlite"
    try:
        url, engine_name = bench_database(workdir)
        print(f"database: {engine_name}; preparing...", flush=True)
        site = populate(url, secret, CLIENTS * SUBMITS)
        server = Server(url, secret, workdir)
        server.wait_ready()
        learners = in_parallel(site.emails, lambda email: prepare_learner(server.port, site, email))
        # Each client's first learner reads the lesson; every learner submits once.
        readers = [learners[i * SUBMITS].browser for i in range(CLIENTS)]
        mine = [learners[i * SUBMITS : (i + 1) * SUBMITS] for i in range(CLIENTS)]
        lesson = f"/learn/modules/{site.module}/lessons/{site.lesson}"
        print(
            f"prepared {len(learners)} learners in {time.perf_counter() - started:.1f}s", flush=True
        )

        settle(url)
        bare = [Browser(server.port) for _ in range(CLIENTS)]
        bare_work = [[("GET", BARE_PATH, None, 200, None)] * BARE_REQUESTS for _ in range(CLIENTS)]
        warm = [[("GET", lesson, None, 200, None)] * 3 for _ in range(CLIENTS)]
        measure(server, readers, warm)  # every worker has rendered the page once or more
        measure(server, bare, [[("GET", BARE_PATH, None, 200, None)] * 25] * CLIENTS)
        endpoints = {}
        endpoints["bare_ok"] = measure(server, bare, bare_work)
        endpoints["lesson_page"] = measure(
            server, readers, [[("GET", lesson, None, 200, None)] * LESSON_REQUESTS] * CLIENTS
        )
        endpoints["quiz_submit"] = measure_submits(server, mine)
        endpoints["bare_ok_again"] = measure(server, bare, bare_work)
        for name, figures in endpoints.items():
            if figures["errors"]:
                raise BenchError(f"{name}: {figures['errors']} errors\n{server.log_tail()}")
        first, again = endpoints["bare_ok"]["rps"], endpoints["bare_ok_again"]["rps"]
        baseline = (first + again) / 2
        drift = abs(first - again) / baseline if baseline else None
        for figures in endpoints.values():
            figures["ratio_to_bare_ok"] = round(figures["rps"] / baseline, 4) if baseline else None
        paths = {
            "bare_ok": f"GET {BARE_PATH}",
            "lesson_page": f"GET {lesson}",
            "quiz_submit": "POST /learn/attempts/<id> (correct answers, one attempt per learner)",
            "bare_ok_again": f"GET {BARE_PATH}",
        }
        for name, figures in endpoints.items():
            endpoints[name] = {"request": paths[name], **figures}
    finally:
        if server is not None:
            server.stop()
        try:
            drop_bench_database(engine_name)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    entry = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": engine_name,
        "server": {
            "command": f"gunicorn --workers {WORKERS} --worker-class {WORKER_CLASS} "
            "'benchmarks.bench_app:create()'",
            "bind": "127.0.0.1",
            "log_level": "INFO (one JSON line per request, as deployed)",
        },
        "clients": CLIENTS,
        "client": "Python threads, http.client, one connection and cookie jar per learner",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "notes": [
            "ratio_to_bare_ok = rps / baseline_rps, the mean rps of bare_ok and bare_ok_again",
            "latencies are of successful requests, measured by the client, queueing included",
            "client_cpu_cores and server_cpu_cores: CPU time used during the measurement "
            "divided by its duration (1.0 = one core busy throughout)",
        ],
        "baseline_rps": round(baseline, 1),
        # How far the two bare runs differ: more than ~0.1 means something else was using
        # the machine during the run, and its figures are not worth comparing.
        "baseline_drift": round(drift, 3) if drift is not None else None,
        "endpoints": endpoints,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    write_results(entry)
    report(entry)
    return entry


def measure_submits(server: Server, mine: list[list[Learner]]) -> dict:
    """Each client submits its learners' attempts one after another; only the POSTs are timed."""
    # A client thread moves from one learner's browser to the next, so run the measurement
    # through a browser-like shim that picks the right learner for each request.
    shims = [_Rotating([learner.browser for learner in learners]) for learners in mine]
    work = [
        [
            ("POST", learner.attempt_path, learner.answers, 302, learner.attempt_path)
            for learner in learners
        ]
        for learners in mine
    ]
    return measure(server, shims, work)


class _Rotating:
    """Sends each request through the next browser in turn: one request per learner."""

    def __init__(self, browsers: list[Browser]):
        self._browsers = iter(browsers)

    def request(self, method, path, form=None):
        return next(self._browsers).request(method, path, form)


def write_results(entry: dict) -> Path:
    """Keep the latest entry for each database engine in the results file."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{NAME}.json"
    runs = {}
    if path.exists():
        try:
            runs = json.loads(path.read_text()).get("runs", {})
        except (ValueError, AttributeError):
            runs = {}
    runs[entry["database"]] = entry
    document = {
        "benchmark": NAME,
        "description": __doc__.strip().splitlines()[0],
        "runs": dict(sorted(runs.items())),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def report(entry: dict) -> None:
    print(
        f"{'endpoint':<14}{'requests':>9}{'errors':>7}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'ratio':>8}{'client cpu':>11}{'server cpu':>11}"
    )
    for name, f in entry["endpoints"].items():
        print(
            f"{name:<14}{f['requests']:>9}{f['errors']:>7}{f['rps']:>9}{f['p50_ms']:>9}"
            f"{f['p95_ms']:>9}{f['p99_ms']:>9}{f['ratio_to_bare_ok']:>8}"
            f"{f['client_cpu_cores']!s:>11}{f['server_cpu_cores']!s:>11}"
        )
    print(
        f"({entry['database']}, {entry['total_seconds']}s, baseline drift "
        f"{entry['baseline_drift']}; {RESULTS / (NAME + '.json')})"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
