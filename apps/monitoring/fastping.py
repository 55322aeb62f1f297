"""Heartbeat pings answered at the WSGI layer, before Django's middleware stack.

A ping is the portal's hottest path (every cron job of every host, every minute), and the
middleware stack (sessions, auth, CSRF, messages, CSP, metrics) costs more CPU than the one
SQL statement a ping needs. This wrapper does only what a ping needs: parse the URL, apply
the per-address rate limit, read at most BODY_LIMIT bytes, run `handle_ping` (the same
function the Django view calls), and hand the connection back to the pool. Anything it does
not recognise goes on to Django unchanged.
"""

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from types import SimpleNamespace

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from apps.core.clientip import client_ip
from apps.core.ratelimit import configured_rate, hit
from apps.monitoring.heartbeats import BODY_LIMIT, handle_ping

log = logging.getLogger(__name__)

PING_PATH = re.compile(r"^/ping/(?P<key>[0-9a-fA-F-]{36})(?:/(?P<signal>[^/]+))?$")
_STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    404: "404 Not Found",
    429: "429 Too Many Requests",
    503: "503 Service Unavailable",
}


def with_fast_pings(app: Callable) -> Callable:
    """Wrap a WSGI app so GET/POST/HEAD `/ping/<uuid>[/<signal>]` never reaches Django."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        match = PING_PATH.match(environ.get("PATH_INFO", ""))
        if match is None or method not in ("GET", "POST", "HEAD"):
            return app(environ, start_response)
        try:
            key = uuid.UUID(match["key"])
        except ValueError:
            return app(environ, start_response)
        status, text, headers = _answer(environ, method, key, match["signal"] or "")
        body = text.encode()
        start_response(
            _STATUS.get(status, f"{status} Error"),
            [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), *headers],
        )
        return [] if method == "HEAD" else [body]

    return application


def _answer(environ: dict, method: str, key: uuid.UUID, signal: str) -> tuple[int, str, list]:
    rate = configured_rate(settings.RATELIMIT_PING)
    if rate is not None:
        allowed, reset = hit("ping", client_ip(SimpleNamespace(META=environ)), rate)
        if not allowed:
            return 429, f"rate limit exceeded: {rate} per address\n", [("Retry-After", str(reset))]
    body = b""
    if method == "POST":
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), BODY_LIMIT)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
    # The worker keeps its connection between pings (a sync worker serves one request at a
    # time, so it holds one connection either way); that saves the pool's checkout and check
    # round trips. A connection that broke (PostgreSQL restarted) is replaced and the ping
    # tried once more: the failed statement wrote nothing.
    for attempt in (1, 2):
        try:
            status, text = handle_ping(
                key, signal, method=method, body=body, remote_addr=environ.get("REMOTE_ADDR")
            )
            return status, text, []
        except (OperationalError, InterfaceError):
            connection.close()
            if attempt == 2:
                log.exception("ping could not be recorded")
        except Exception:
            connection.close()
            log.exception("ping could not be recorded")
            break
    return 503, "ping not recorded: the portal's database is unavailable\n", []
