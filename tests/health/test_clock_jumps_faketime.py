"""A real beat whose wall clock libfaketime moves back two hours, then forward a day.

Invariant after each jump: the 1-second schedule keeps being sent at about one message per
second (backward: no stall until the clock catches up; forward: overdue runs once, no burst).
The monotonic clock stays real (FAKETIME_DONT_FAKE_MONOTONIC), as with a real clock step.
"""

import glob
import time

import pytest
import redis
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.conftest import ROOT, celery_process, shared_database_url, subprocess_env, wait_until

QUEUE = "clock-jump-test"
LIBFAKETIME = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
# libfaketime 0.9.10 turns Python's time.sleep (clock_nanosleep on the real monotonic clock,
# TIMER_ABSTIME) into EINVAL when the monotonic clock is left alone; select() is unaffected.
# Only the sleep between beat ticks is replaced; the scheduler, database and broker are real.
SLEEP_SHIM = "import select, time\ntime.sleep = lambda s: select.select([], [], [], s)\n"


def _sent_during(broker: redis.Redis, seconds: float) -> int:
    before = broker.llen(QUEUE)
    time.sleep(seconds)
    return broker.llen(QUEUE) - before


@pytest.mark.django_db(transaction=True)
def test_real_beat_keeps_its_rhythm_across_clock_jumps(tmp_path):
    assert LIBFAKETIME, "libfaketime is missing: scripts/ensure-services.sh installs it"
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test runs on Redis"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(QUEUE)
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="clock jump test", task="apps.health.tests.tick_probe", interval=every, queue=QUEUE
    )
    clock = tmp_path / "clock"
    clock.write_text("+0\n")
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SLEEP_SHIM)
    env = subprocess_env(
        DATABASE_URL=shared_database_url(),
        LD_PRELOAD=LIBFAKETIME[0],
        FAKETIME_TIMESTAMP_FILE=str(clock),
        FAKETIME_NO_CACHE="1",
        FAKETIME_DONT_FAKE_MONOTONIC="1",
        PYTHONPATH=f"{shim}:{ROOT}",
    )
    with celery_process(env, "beat", "--schedule", str(tmp_path / "beat-schedule")) as beat:
        wait_until(lambda: broker.llen(QUEUE) >= 3, timeout=60, what="beat to send")
        # Lower bounds leave room for a loaded machine; a stall sends nothing at all.
        assert 2 <= _sent_during(broker, 5) <= 7

        clock.write_text("-2h\n")
        time.sleep(2)  # the tick that notices the jump
        sent = _sent_during(broker, 6)
        assert sent >= 2, f"beat stalled after the clock went back: {sent} messages in 6 s"
        assert sent <= 8

        clock.write_text("+1d\n")
        time.sleep(2)
        sent = _sent_during(broker, 6)
        assert 2 <= sent <= 8, f"{sent} messages in 6 s after the clock went forward a day"
        assert beat.poll() is None
    broker.delete(QUEUE)
