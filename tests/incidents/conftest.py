"""Fixtures of the incident tests: services, a user, a real HMAC-checking webhook receiver."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.incidents.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from apps.monitoring.models import Service


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that verifies signatures and can fail on purpose."""

    url: str
    secret: str
    fail_first: int = 0
    requests: list[dict] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.requests if r["status"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", secret="s3cret-key")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                signed = self.headers.get(SIGNATURE_HEADER)
                if signed is not None and not verify_signature(
                    state.secret,
                    self.headers.get(TIMESTAMP_HEADER, ""),
                    signed,
                    body,
                    now=time.time(),
                ):
                    state.rejected.append(signed)
                    status = 401
                elif state.fail_first > 0:
                    state.fail_first -= 1
                    status = 503
                else:
                    status = 200
                state.requests.append(
                    {"status": status, "body": json.loads(body), "signed": signed is not None}
                )
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def make_service(db):  # noqa: ANN001, ANN201
    def make(slug: str, depends_on: tuple[Service, ...] = ()) -> Service:
        service = Service.objects.create(name=slug.title(), slug=slug)
        if depends_on:
            service.depends_on.set(depends_on)
        return service

    return make


@pytest.fixture
def api(db, settings):  # noqa: ANN001, ANN201
    """A Django test client speaking to /api/v1/ with a superuser's token."""
    from django.contrib.auth.models import User
    from django.test import Client

    from apps.api.models import ApiToken

    settings.RATELIMIT_API = "0"
    user = User.objects.create_superuser("boss", password="x-unused-password-1")
    _, clear = ApiToken.issue(user, "tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    client.user = user
    return client


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run Celery tasks inline (for tests about what gets sent, not about the worker)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
