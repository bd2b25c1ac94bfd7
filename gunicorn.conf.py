"""gunicorn settings for Signpost: `gunicorn -c gunicorn.conf.py 'app:create_app()'`."""

import os

import gunicorn.http.wsgi

# No server name or version in responses: it tells an attacker what to look up.
gunicorn.http.wsgi.SERVER = "Signpost"

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = 60
# Requests larger than a form or an upload could ever be are refused before Flask sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Behind a load balancer, X-Forwarded-For is read by the app (TRUSTED_PROXIES), not here.
forwarded_allow_ips = "127.0.0.1"
accesslog = None  # the app logs each request as one JSON line
