"""Liveness answered at the WSGI layer: no middleware, no database, no template.

Kept free of Django imports so `portal.wsgi` can wrap the application with it.
"""

from collections.abc import Callable, Iterable

LIVE_PATH = "/health/live"
LIVE_BODY = b'{"status": "ok"}'
LIVE_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(LIVE_BODY))),
    ("Cache-Control", "no-store"),
]


def with_liveness(app: Callable) -> Callable:
    """Wrap a WSGI app so GET/HEAD `/health/live` is answered without reaching it."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") == LIVE_PATH and method in ("GET", "HEAD"):
            start_response("200 OK", LIVE_HEADERS)
            return [] if method == "HEAD" else [LIVE_BODY]
        return app(environ, start_response)

    return application
