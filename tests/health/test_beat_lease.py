"""Two beats: only the lease holder sends; the standby takes over when the holder dies."""

import json
import signal
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.health.models import ProcessHeartbeat, SchedulerLease
from tests.conftest import celery_process, shared_database_url, subprocess_env, wait_until

QUEUE = "beat-lease-test"


@pytest.mark.django_db
def test_lease_is_exclusive_until_it_expires():
    now = timezone.now()
    assert SchedulerLease.acquire("x", "a", now=now, ttl=30)
    assert not SchedulerLease.acquire("x", "b", now=now + timedelta(seconds=29), ttl=30)
    assert SchedulerLease.acquire("x", "a", now=now + timedelta(seconds=29), ttl=30)  # renew
    assert SchedulerLease.acquire("x", "b", now=now + timedelta(seconds=60), ttl=30)
    SchedulerLease.release("x", "a")  # not the holder: nothing happens
    assert SchedulerLease.objects.get(name="x").holder == "b"


@pytest.mark.django_db(transaction=True)
def test_two_beats_send_each_schedule_once_and_fail_over():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test runs on Redis"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(QUEUE)
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="lease test", task="apps.health.tests.lease_probe", interval=every, queue=QUEUE
    )
    env = subprocess_env(DATABASE_URL=shared_database_url(), BEAT_LEASE_SECONDS="3")
    with (
        celery_process(env, "beat", "--schedule", "/tmp/portal-beat-a") as first,
        celery_process(env, "beat", "--schedule", "/tmp/portal-beat-b") as second,
    ):
        wait_until(
            lambda: ProcessHeartbeat.objects.filter(kind="beat").count() == 2,
            timeout=60,
            what="both beats to tick",
        )
        broker.delete(QUEUE)
        started = time.monotonic()
        time.sleep(8)
        sent = broker.llen(QUEUE)
        elapsed = time.monotonic() - started
        # One message a second from the leader; two beats sending would double it.
        assert 0 < sent <= elapsed + 2, f"{sent} messages in {elapsed:.1f} s"
        lease = SchedulerLease.objects.get(name="celery-beat")
        leader = first if lease.holder.endswith(f":{first.pid}") else second
        standby = second if leader is first else first
        assert lease.holder.endswith(f":{leader.pid}")

        leader.send_signal(signal.SIGKILL)  # no clean release: the lease must expire
        leader.wait(10)
        wait_until(
            lambda: SchedulerLease.objects.get(name="celery-beat").holder.endswith(
                f":{standby.pid}"
            ),
            timeout=30,
            what="the standby to take the lease",
        )
        before = broker.llen(QUEUE)
        time.sleep(4)
        assert broker.llen(QUEUE) > before, "the new leader sends"
        body = json.loads(broker.lindex(QUEUE, 0))
        assert body["headers"]["task"] == "apps.health.tests.lease_probe"
    broker.delete(QUEUE)
