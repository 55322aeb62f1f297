"""An overdue occurrence reaches a real local webhook through the incident channels and a real
Celery worker; completing it resolves the incident and says so through the same channel."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from apps.incidents.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from apps.incidents.models import Channel, Incident, Route
from apps.routines.checklists import run_routines, tick
from apps.routines.models import Checklist
from portal.celery import app
from tests.conftest import celery_process, shared_database_url, subprocess_env, wait_until
from tests.routines.conftest import make_checklist

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "routines-hook-secret"


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = verify_signature(
                SECRET,
                self.headers.get(TIMESTAMP_HEADER, ""),
                self.headers.get(SIGNATURE_HEADER, ""),
                body,
                now=time.time(),
            )
            if ok:
                received.append(json.loads(body))
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_overdue_checklist_notifies_the_webhook_and_completion_resolves(hook, settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    url, received = hook
    app.control.purge()
    Checklist.objects.all().delete()
    checklist = make_checklist("Daily ops", items=[("Check the error logs", "")], severity="SEV3")
    channel = Channel.objects.create(name="ops hook", kind="webhook", target=url, secret=SECRET)
    Route.objects.create(channel=channel, min_severity="SEV4", include_unassigned=True)

    now = timezone.now()
    run_routines(now=now - timedelta(days=2))  # the day before yesterday's occurrence
    late = checklist.occurrences.get()
    env = subprocess_env(DATABASE_URL=shared_database_url())
    with celery_process(env, "worker", "-Q", "notifications", "-n", "routines@%h", "-c", "1"):
        report = run_routines(now=now)
        assert report.overdue == [str(late)]
        assert run_routines(now=now + timedelta(minutes=5)).overdue == []  # reported once
        wait_until(lambda: len(received) >= 1, timeout=60, what="the overdue notification")

        opened = received[0]
        assert opened["event"] == "opened"
        assert opened["incident"]["cause"] == f"checklist:{checklist.pk}:{late.period}"
        assert opened["incident"]["severity"] == "SEV3"
        assert "Daily ops" in opened["incident"]["title"] and "overdue" in opened["text"]

        tick(late.items.get(), user=None, now=now + timedelta(minutes=10))
        wait_until(lambda: len(received) >= 2, timeout=60, what="the resolved notification")
    assert received[1]["event"] == "resolved"
    assert Incident.objects.get(cause=late.cause).status == "resolved"
    assert len(received) == 2
