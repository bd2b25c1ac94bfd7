"""Structured (JSON) logging of requests and errors."""

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {"message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with any `extra=` fields included."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Send all logs as JSON lines to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("werkzeug", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


log = logging.getLogger("signpost.request")


def register(app: Flask) -> None:
    """Log one line per request, with a request id that is echoed in the response."""
    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"])

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        if request.path.startswith("/static/"):
            return response
        started = g.get("request_started", time.perf_counter())
        log.info(
            "request",
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": current_user.get_id() if current_user.is_authenticated else None,
                "ip": request.remote_addr,
            },
        )
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
