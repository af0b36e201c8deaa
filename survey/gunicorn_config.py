"""The gunicorn settings the platform ships with: `gunicorn -c python:survey.gunicorn_config
'survey:create_app()'`. Every value can be changed by an environment variable (below).

gunicorn's threads block on a client's socket while it reads a request and writes the
answer: a client that sends its headers a byte a minute holds a thread as long as it likes
(gunicorn's `timeout` watches workers, not clients). This file makes such clients cost
less (many threads per worker; a worker whose threads are all taken accepts no more
connections, so the other workers get them), but it cannot make them free: in production
a buffering reverse proxy (nginx with request buffering on) in front is required, which
reads each request completely before passing it on and takes each answer at once
(docs/deployment.md; bench/slow_clients.py for the figures).

The access log (off unless SURVEY_ACCESS_LOG) never holds a school's link or a code:
MaskingLogger writes "…" for the path segment after /s/ and /c/ (the token of /s/<token>,
the code of a slip's QR link /c/<code>), in every field of the line.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")           # behind the proxy only
# Requests mostly wait on the database: two processes per core, each with many threads.
workers = _number("SURVEY_WORKERS", 2 * multiprocessing.cpu_count())
worker_class = "gthread"
threads = _number("SURVEY_THREADS", 16)
# A worker takes no more connections than it has threads (gunicorn's default is 1000):
# otherwise a worker whose threads all wait on slow clients keeps accepting, and the new
# requests wait in its queue while other workers have threads free. At its limit a worker
# leaves new connections in the listen queue for the others.
worker_connections = _number("SURVEY_WORKER_CONNECTIONS", threads)
# A worker that does not answer the master for this long is restarted; the longest normal
# request (a large workbook) streams and so keeps its worker alive.
timeout = _number("SURVEY_TIMEOUT", 60)
graceful_timeout = _number("SURVEY_GRACEFUL_TIMEOUT", 30)
# No keep-alive: an idle kept connection would count against worker_connections (and
# with worker_connections == threads gunicorn could not keep one anyway). The proxy talks
# to gunicorn over loopback, where a new connection costs next to nothing.
keepalive = _number("SURVEY_KEEPALIVE", 0)
# Oversized request lines and headers are refused before they reach the app.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = os.environ.get("SURVEY_ACCESS_LOG") or None
errorlog = "-"

# The secret segment after /s/ (a school's link) or /c/ (a code), also percent-encoded
# (werkzeug routes on the decoded path, the log's request line is the raw one); the fixed
# pages of the code journey (/c/vragenlijst, /c/bedankt) are not secrets and stay.
_SECRET = re.compile(r"((?:/|%2f)(?:s|c|%73|%63)(?:/|%2f))"
                     r"(?!(?:vragenlijst|bedankt)(?:[/?#\s\"]|%2f|$))[^/?#\s\"]+", re.I)


def masked(text: str) -> str:
    return _SECRET.sub(r"\1…", text)


class MaskingLogger(Logger):
    """gunicorn's logger, with links and codes masked in every atom of the access line
    (request line, path, referer, headers, environ): whatever access_log_format says."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: masked(value) if isinstance(value, str) else value
                for key, value in atoms.items()}


logger_class = MaskingLogger
