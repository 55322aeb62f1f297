import pytest

from apps.health.liveness import LIVE_BODY, with_liveness
from portal.wsgi import application


@pytest.mark.django_db
def test_live_answers_without_queries(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_wsgi_answers_live_before_django():
    def exploding_app(environ, start_response):
        raise AssertionError("liveness must not reach Django")

    app = with_liveness(exploding_app)
    seen = {}

    def start_response(status, headers):
        seen["status"] = status
        seen["headers"] = dict(headers)

    body = b"".join(app({"PATH_INFO": "/health/live", "REQUEST_METHOD": "GET"}, start_response))
    assert seen["status"] == "200 OK"
    assert body == LIVE_BODY
    assert seen["headers"]["Cache-Control"] == "no-store"


def test_other_paths_reach_django():
    calls = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return [b""]

    with_liveness(app)({"PATH_INFO": "/health/ready", "REQUEST_METHOD": "GET"}, lambda *a: None)
    with_liveness(app)({"PATH_INFO": "/health/live", "REQUEST_METHOD": "POST"}, lambda *a: None)
    assert calls == ["/health/ready", "/health/live"]


def test_project_application_is_wrapped():
    out = {}
    body = application(
        {"PATH_INFO": "/health/live", "REQUEST_METHOD": "HEAD"},
        lambda status, headers: out.setdefault("status", status),
    )
    assert out["status"] == "200 OK"
    assert list(body) == []
