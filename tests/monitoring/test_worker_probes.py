"""Real Celery workers on the `probes` queue take due monitors, each due time exactly once."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import Connection

from apps.monitoring.models import Monitor, ProbeResult, Service
from apps.monitoring.tasks import dispatch
from tests.conftest import (
    celery_process,
    redis_server,
    shared_database_url,
    subprocess_env,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)
WORKER = [
    "worker",
    "-Q",
    "probes",
    "-c",
    "1",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
]


def ticking(broker: str, results: int):  # noqa: ANN201
    """A wait_until predicate that sends a dispatch every 3 s until `results` exist."""
    last = [0.0]

    def check() -> bool:
        if time.monotonic() - last[0] > 3:
            with Connection(broker) as conn:
                dispatch.apply_async(connection=conn)
            last[0] = time.monotonic()
        return ProbeResult.objects.count() >= results

    return check


def test_two_workers_probe_every_due_monitor_once(target):
    service = Service.objects.create(name="Fleet", slug="fleet")
    url = target.set("/fleet", body=b"ok")
    Monitor.objects.bulk_create(
        Monitor(service=service, target=url, timeout_seconds=30, next_due_at=timezone.now())
        for _ in range(150)
    )
    with redis_server() as (port, _proc):
        broker = f"redis://127.0.0.1:{port}/0"
        env = subprocess_env(
            DATABASE_URL=shared_database_url(), REDIS_URL=broker, CELERY_BROKER_URL=None,
            MONITORING_BATCH_SIZE="40",
        )  # fmt: skip
        with celery_process(env, *WORKER, "-n", "a@%h"), celery_process(env, *WORKER, "-n", "b@%h"):
            # Dispatch repeatedly, as beat does, while the same due times are pending: later
            # dispatches must find nothing left to claim.
            wait_until(ticking(broker, 150), timeout=90, what="150 results")
            time.sleep(2)  # room for a duplicate to show up, if there were one
            per_monitor = Counter(ProbeResult.objects.values_list("monitor_id", flat=True))
            assert set(per_monitor.values()) == {1}
            assert target.hits.count("/fleet") == 150

            # Next round: everything due again, probed once more.
            Monitor.objects.update(next_due_at=timezone.now() - timedelta(seconds=1))
            wait_until(ticking(broker, 300), timeout=90, what="300 results")
    per_monitor = Counter(ProbeResult.objects.values_list("monitor_id", flat=True))
    assert set(per_monitor.values()) == {2}
    assert Monitor.objects.filter(next_due_at__gt=timezone.now()).count() == 150
