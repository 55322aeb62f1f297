"""The reference for the health benchmark: the smallest WSGI app gunicorn can serve.

It answers every path with the same bytes `/health/live` sends, so the two runs differ only in
what the portal does before answering (see benchmarks/health_endpoints.py).
"""

from collections.abc import Callable, Iterable

BODY = b'{"status": "ok"}'
HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BODY))),
    ("Cache-Control", "no-store"),
]


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
