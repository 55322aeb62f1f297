"""The benchmark's reference app answers exactly what `/health/live` answers, so the two
runs of benchmarks/health_endpoints.py differ only in the work before the answer."""

from apps.health.liveness import LIVE_BODY, LIVE_HEADERS, with_liveness
from benchmarks import bare_wsgi


def call(app, path: str) -> tuple[str, list, bytes]:  # noqa: ANN001
    seen: dict = {}

    def start_response(status: str, headers: list) -> None:
        seen.update(status=status, headers=headers)

    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": path}, start_response))
    return seen["status"], seen["headers"], body


def test_bare_app_sends_the_liveness_bytes():
    def django_stand_in(environ, start_response):  # noqa: ANN001, ANN202
        start_response("404 Not Found", [])
        return [b"not here"]

    live = call(with_liveness(django_stand_in), "/health/live")
    assert call(bare_wsgi.application, "/health/live") == live
    assert live == ("200 OK", LIVE_HEADERS, LIVE_BODY)
