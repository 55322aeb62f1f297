"""Only one run of a job at a time, across processes; a dead run's lock is taken over."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.jobs import locking
from apps.jobs.models import JobRun


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_triggers_give_one_run():
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def trigger() -> None:
        barrier.wait()
        try:
            locking.acquire("maintenance", now=timezone.now(), trigger="beat")
            outcomes.append("started")
        except locking.JobAlreadyRunning as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "started"
    assert "a maintenance run is already in progress" in sorted(outcomes)[0]
    assert JobRun.objects.filter(kind="maintenance", status="running").count() == 1


@pytest.mark.django_db
def test_other_lock_keys_do_not_block_each_other():
    now = timezone.now()
    locking.acquire("export", now=now, trigger="api", lock_key="export:1")
    locking.acquire("export", now=now, trigger="api", lock_key="export:2")
    locking.acquire("retention", now=now, trigger="beat")
    assert JobRun.objects.filter(status="running").count() == 3


@pytest.mark.django_db
def test_a_run_silent_beyond_the_lease_is_abandoned_and_taken_over(settings):
    settings.JOBS_LOCK_LEASE_SECONDS = 600
    start = timezone.now()
    dead = locking.acquire("retention", now=start, trigger="beat")
    with pytest.raises(locking.JobAlreadyRunning):
        locking.acquire("retention", now=start + timedelta(seconds=599), trigger="beat")
    fresh = locking.acquire("retention", now=start + timedelta(seconds=601), trigger="beat")
    dead.refresh_from_db()
    assert dead.status == "abandoned" and "died" in dead.error
    assert fresh.status == "running"
