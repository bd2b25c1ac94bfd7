"""The Signpost app with one extra, bare endpoint: the yardstick for the real pages.

Served by gunicorn as `benchmarks.bench_app:create()`, so the bare endpoint runs under
exactly the same server, worker and app settings as the pages it is compared with.
"""

from app import create_app

BARE_PATH = "/bench/ok"


def create():
    """The real app plus GET /bench/ok, which returns "ok" and touches nothing else."""
    app = create_app()
    app.add_url_rule(BARE_PATH, "bench_ok", lambda: "ok")
    return app
