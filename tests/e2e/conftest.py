"""Browser fixtures: Debian's Chromium, driven by Playwright, against a live Signpost.

- `chromium` (session): one browser for the whole run. If it cannot start, tests that
  need it are skipped, or fail when the CI environment variable is set.
- `live_server`: the `app` fixture from tests/conftest.py (same test database, same
  wipe after each test) served over HTTP on a free 127.0.0.1 port.
- `context`, `page`: a fresh browser profile per test, with `base_url` set to the live
  server, axe-core available and the page watched for CSP and JavaScript errors.

Set up data with the factories as in any other test: the `app` fixture's app context is
active for the whole test. Before each request the browser makes, the test's own database
transaction is committed (as SignpostClient does), so the server sees the test's rows and
the test never holds a lock the server waits for.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback

import pytest
from flask import Flask, got_request_exception
from werkzeug.serving import WSGIRequestHandler, make_server

from signpost.extensions import db
from tests.e2e import prepare, watch

CHROMIUM = os.environ.get("SIGNPOST_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: without these Chromium keeps trying to phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium (never a downloaded browser), shared by every test."""
    from playwright.sync_api import sync_playwright

    playwright = browser = None
    reason = None
    try:
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=30_000
        )
    except Exception as error:  # noqa: BLE001 - any failure to start means no browser tests
        reason = f"Chromium could not start ({CHROMIUM}): {str(error).strip()}"
        if playwright is not None:
            playwright.stop()
    if reason:
        # CI must run the browser tests; a developer without Chromium gets a skip.
        if _in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    yield browser
    browser.close()
    playwright.stop()


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (the app logs its own); errors still go to stderr."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class LiveServer:
    """The app under test, served over HTTP in a background thread."""

    def __init__(self, app: Flask, url: str, session) -> None:
        self.app = app
        self.url = url
        self._session = session  # the test's own database session
        self._errors: list[str] = []
        self._lock = threading.Lock()

    def handle_route(self, route) -> None:
        """Before the browser's request reaches the server, end the test's transaction."""
        try:
            self._session.commit()
        except Exception:  # noqa: BLE001 - reported by the next page check; never hang
            self._session.rollback()
            self._record("The test's database session failed to commit:\n" + traceback.format_exc())
        route.continue_()

    def take_errors(self) -> list[str]:
        """Problems seen while serving requests since the last call."""
        with self._lock:
            errors, self._errors = self._errors, []
        return errors

    def _record(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)

    def on_exception(self, sender, exception, **extra) -> None:
        """got_request_exception receiver: runs in the server's thread."""
        self._record("The app raised:\n" + "".join(traceback.format_exception(exception)))


class _ServerErrorLog(logging.Handler):
    """Collects ERROR records logged by the server's threads (such as 'unhandled error')."""

    def __init__(self, live: LiveServer) -> None:
        super().__init__(logging.ERROR)
        self.live = live
        self.test_thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.test_thread:
            return
        text = f"The app logged {record.levelname} from {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.live._record(text)


@pytest.fixture
def live_server(app):
    """Serve the `app` fixture's app on a free 127.0.0.1 port for one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    # Links in emails point at this server; errors render the app's own 500 page, as in
    # production (the failure itself is still reported to the test: see below).
    app.config.update(BASE_URL=url, PROPAGATE_EXCEPTIONS=False)
    live = LiveServer(app, url, db.session())
    # Server-side failures reach the test: exceptions Flask did not handle, and errors the
    # app logged (its 500 handler logs 'unhandled error'). Tests that provoke one on
    # purpose call live_server.take_errors() to collect them.
    got_request_exception.connect(live.on_exception, app)
    error_log = _ServerErrorLog(live)
    loggers = [logging.getLogger("signpost"), logging.getLogger("werkzeug")]
    for logger in loggers:
        logger.addHandler(error_log)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield live
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    got_request_exception.disconnect(live.on_exception, app)
    for logger in loggers:
        logger.removeHandler(error_log)


@pytest.fixture
def context(chromium, live_server):
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    prepare(context, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A tab in `context`. Navigate with tests.e2e.visit / check_after to check each page."""
    page = context.new_page()
    watch(page)
    return page
