"""Monitors going DOWN open incidents through the signal; back UP resolves them."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.incidents.models import Incident
from apps.monitoring.models import Monitor
from apps.monitoring.probing import probe_now

pytestmark = pytest.mark.django_db(transaction=True)


class Target:
    """A probe target on 127.0.0.1 whose answer the test switches between 200 and 500."""

    def __init__(self) -> None:
        self.status = 200
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(target.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/health"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target():
    t = Target()
    yield t
    t.close()


def test_real_probe_failure_opens_and_recovery_resolves(target, make_service):
    db = make_service("db")
    api = make_service("api", depends_on=(db,))
    db_monitor = Monitor.objects.create(
        service=db, name="db http", target=target.url, failures_before_down=1
    )
    api_monitor = Monitor.objects.create(
        service=api, name="api http", target=target.url, failures_before_down=1
    )
    probe_now([db_monitor, api_monitor])
    assert not Incident.objects.exists()

    target.status = 500
    probe_now([db_monitor])
    probe_now([api_monitor])
    incident = Incident.objects.get()
    assert incident.cause == f"monitor:{db_monitor.pk}" and incident.automatic
    assert incident.title == "db http is down"
    assert set(incident.services.values_list("slug", flat=True)) == {"db", "api"}

    target.status = 200
    probe_now([db_monitor, api_monitor])
    incident.refresh_from_db()
    assert incident.status == "resolved"
    texts = list(incident.updates.values_list("text", flat=True))
    assert any(t.startswith("Opened automatically") for t in texts)
    assert any(
        t.startswith("Recovered; resolved automatically. Monitor is up again.") for t in texts
    )


def test_late_heartbeat_signal_opens_a_late_incident(make_service):
    from django.utils import timezone

    from apps.monitoring.signals import monitor_state_changed

    backups = make_service("backups")
    cron = Monitor.objects.create(service=backups, name="nightly dump", kind="heartbeat")
    now = timezone.now()
    monitor_state_changed.send(
        sender=Monitor,
        monitor=cron,
        previous="up",
        current="down",
        at=now,
        reason="late: no ping before the deadline",
    )
    incident = Incident.objects.get(cause=f"monitor:{cron.pk}")
    assert incident.title == "nightly dump is late" and incident.opened_at == now
    monitor_state_changed.send(
        sender=Monitor, monitor=cron, previous="down", current="up", at=now, reason="ping"
    )
    incident.refresh_from_db()
    assert incident.status == "resolved"


def test_real_probes_noticing_the_dependent_first_are_merged(target, make_service):
    db = make_service("db")
    api = make_service("api", depends_on=(db,))
    db_monitor = Monitor.objects.create(
        service=db, name="db http", target=target.url, failures_before_down=1
    )
    api_monitor = Monitor.objects.create(
        service=api, name="api http", target=target.url, failures_before_down=1
    )
    target.status = 500
    probe_now([api_monitor])  # the dependent's probe runs first
    early = Incident.objects.get()
    probe_now([db_monitor])
    early.refresh_from_db()
    root = Incident.objects.open().get()
    assert root.cause == f"monitor:{db_monitor.pk}" and early.status == "resolved"
    assert set(root.services.values_list("slug", flat=True)) == {"db", "api"}

    target.status = 200
    probe_now([db_monitor, api_monitor])
    root.refresh_from_db()
    assert root.status == "resolved" and not Incident.objects.open().exists()
