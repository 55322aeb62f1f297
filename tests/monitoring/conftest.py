"""Fixtures: a threaded HTTP target on loopback whose answers a test controls, and users."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission, User

from apps.api.models import ApiToken
from apps.monitoring.models import Monitor, Service


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) refuses connections when a worker probes a batch of
    # monitors at once; a real web server's backlog is in the hundreds.
    request_queue_size = 256


class Target:
    """Routes path -> Answer; records the paths it was asked for."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.hits: list[str] = []
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def set(self, path: str, **kwargs) -> str:
        self.answers[path] = Answer(**kwargs)
        return self.base + path

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                target.hits.append(self.path)
                answer = target.answers.get(self.path, Answer(404, b"missing"))
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture(autouse=True)
def _no_rate_limits(settings) -> None:  # noqa: ANN001
    # Every test client comes from 127.0.0.1; the limits have their own tests (tests/core).
    settings.RATELIMIT_API = ""
    settings.RATELIMIT_PING = ""


@pytest.fixture
def target() -> Iterator[Target]:
    t = Target()
    thread = threading.Thread(target=t.server.serve_forever, daemon=True)
    thread.start()
    yield t
    t.server.shutdown()
    t.server.server_close()


@pytest.fixture
def service(db) -> Service:  # noqa: ANN001
    return Service.objects.create(name="Shop", slug="shop")


def make_monitor(service: Service, **kwargs) -> Monitor:
    kwargs.setdefault("kind", "http")
    kwargs.setdefault("interval_seconds", 60)
    kwargs.setdefault("timeout_seconds", 2)
    return Monitor.objects.create(service=service, **kwargs)


def token_for(*codenames: str, superuser: bool = False) -> str:
    user = User.objects.create_user(f"u{User.objects.count()}", is_superuser=superuser)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return ApiToken.issue(user, "test")[1]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def as_json(body: dict) -> str:
    return json.dumps(body)
