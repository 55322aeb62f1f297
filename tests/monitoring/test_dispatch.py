"""Claiming due monitors, storing results in bulk, state changes as rows and signals."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.monitoring.models import Monitor, ProbeResult, StateChange
from apps.monitoring.probing import claim_due, run_due
from apps.monitoring.signals import monitor_state_changed
from tests.monitoring.conftest import make_monitor


@pytest.mark.django_db
def test_claim_advances_due_time_so_it_is_taken_once(service):
    now = timezone.now()
    due = make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.filter(pk=due.pk).update(next_due_at=now - timedelta(seconds=5))
    later = make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.filter(pk=later.pk).update(next_due_at=now + timedelta(seconds=30))
    paused = make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.filter(pk=paused.pk).update(state="paused", next_due_at=now)

    claimed = claim_due(now=now, limit=10)
    assert [(spec.id, at) for spec, at in claimed] == [(due.pk, now - timedelta(seconds=5))]
    due.refresh_from_db()
    # The phase is kept: the next due time is one interval after the previous one.
    assert due.next_due_at == now + timedelta(seconds=55)
    assert claim_due(now=now, limit=10) == []


@pytest.mark.django_db
def test_a_long_backlog_does_not_replay_missed_slots(service):
    now = timezone.now()
    m = make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.filter(pk=m.pk).update(next_due_at=now - timedelta(hours=1))
    claim_due(now=now, limit=10)
    m.refresh_from_db()
    assert m.next_due_at == now + timedelta(seconds=60)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_overlap(service):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    now = timezone.now()
    Monitor.objects.bulk_create(
        Monitor(
            service=service, target="http://127.0.0.1:1/", next_due_at=now - timedelta(seconds=1)
        )
        for _ in range(300)
    )

    def claim(_: int) -> list[int]:
        try:
            return [spec.id for spec, _due in claim_due(now=now, limit=40)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(claim, range(12)))
    ids = [i for batch in batches for i in batch]
    assert len(ids) == len(set(ids)) == 300


@pytest.mark.django_db(transaction=True)
def test_results_and_state_changes_are_stored_and_signalled(service, target):
    url = target.set("/svc", status=200)
    m = make_monitor(service, target=url, failures_before_down=2)
    received = []

    def listener(sender, **kwargs):
        received.append((kwargs["previous"], kwargs["current"], kwargs["reason"]))

    monitor_state_changed.connect(listener)
    try:
        assert run_due() == 1
        assert received == [("pending", "up", "recovered")]
        target.set("/svc", status=503)
        for _ in range(2):
            Monitor.objects.filter(pk=m.pk).update(next_due_at=timezone.now())
            run_due()
    finally:
        monitor_state_changed.disconnect(listener)
    assert received[-1] == ("up", "down", "status 503")
    m.refresh_from_db()
    assert m.state == "down" and m.last_error == "status 503" and m.failure_streak == 2
    assert list(ProbeResult.objects.filter(monitor=m).order_by("checked_at").values_list("ok", "status_code")) == [  # noqa: E501
        (True, 200), (False, 503), (False, 503),
    ]  # fmt: skip
    assert list(StateChange.objects.filter(monitor=m).order_by("at").values_list("current", flat=True)) == [  # noqa: E501
        "up", "down",
    ]  # fmt: skip
    service.refresh_from_db()
    assert service.state == "down"
