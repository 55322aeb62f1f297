"""The beat scheduler: django-celery-beat's database scheduler that records its ticks and
sends tasks only while it holds the scheduler lease (so a second beat is a standby)."""

import logging
import os
import socket
import time
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import DatabaseScheduler

from apps.health.models import ProcessHeartbeat, SchedulerLease

log = logging.getLogger(__name__)

TICK_RECORD_SECONDS = 10
LEASE_NAME = "celery-beat"
CLOCK_TOLERANCE_SECONDS = 30.0


def clock_jump(prev_wall: float, prev_mono: float, wall: float, mono: float) -> float:
    """How far the wall clock moved beyond the monotonic clock between two ticks (seconds;
    negative when it went back), or 0.0 within the tolerance for ordinary NTP slewing."""
    drift = (wall - prev_wall) - (mono - prev_mono)
    return drift if abs(drift) > CLOCK_TOLERANCE_SECONDS else 0.0


def repair_after_backward_jump(now: datetime) -> int:
    """Schedules stamped 'last run' in the future would wait for the clock to catch up and
    silently skip their runs; stamp them now instead. Returns how many were repaired."""
    repaired = PeriodicTask.objects.filter(last_run_at__gt=now).update(last_run_at=now)
    if repaired:
        PeriodicTasks.update_changed()
    return repaired


class HeartbeatScheduler(DatabaseScheduler):
    """Schedules from the database (edited in the admin) and writes a beat heartbeat row."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._heartbeat_name = socket.gethostname()
        self._heartbeat_started = timezone.now()
        self._heartbeat_last = 0.0
        # One identity per process: two beats on one host must not share a heartbeat row.
        self._holder = f"{self._heartbeat_name}:{os.getpid()}"
        self._leader = False
        self._clock = (time.time(), time.monotonic())
        super().__init__(*args, **kwargs)

    def tick(self, *args: object, **kwargs: object) -> float:
        self._watch_clock()
        leader = self._hold_lease()
        if time.monotonic() - self._heartbeat_last >= TICK_RECORD_SECONDS:
            self._record_tick()
        if not leader:
            return min(self.max_interval, 5.0)
        return super().tick(*args, **kwargs)

    def _watch_clock(self) -> None:
        wall, mono = time.time(), time.monotonic()
        jump = clock_jump(*self._clock, wall, mono)
        self._clock = (wall, mono)
        if jump > 0:
            # Celery sends each overdue schedule once (not once per missed slot).
            log.warning("wall clock jumped forward %.0f s: overdue schedules run once now", jump)
        elif jump < 0:
            repaired = repair_after_backward_jump(timezone.now())
            self._reload_after_backward_jump()
            log.warning("wall clock jumped back %.0f s: %d schedule(s) re-stamped", -jump, repaired)

    def _reload_after_backward_jump(self) -> None:
        """Make the in-memory schedule follow the repaired rows.

        django-celery-beat would otherwise write its unsynced in-memory "last run" stamps (now
        in the future) back over the repair, and its change check compares timestamps that just
        went backwards, so it would not reload. (Found by the libfaketime test with a real beat;
        these are DatabaseScheduler's own attributes, pinned by the lock file.)
        """
        self._dirty.clear()
        self._schedule = self.all_as_schedule()
        self._heap = []
        self._heap_invalidated = True
        self._last_timestamp = PeriodicTasks.last_change()
        self._last_full_sync = datetime.now()  # noqa: DTZ005 - the library's own naive clock

    def _hold_lease(self) -> bool:
        try:
            close_old_connections()
            leader = SchedulerLease.acquire(
                LEASE_NAME, self._holder, now=timezone.now(), ttl=settings.BEAT_LEASE_SECONDS
            )
        except Exception:
            log.warning("scheduler lease could not be checked; not sending", exc_info=True)
            leader = False
        if leader != self._leader:
            log.warning(
                "beat %s %s the scheduler lease",
                self._holder,
                "holds" if leader else "does not hold (standby)",
            )
            self._leader = leader
        return leader

    def _record_tick(self) -> None:
        try:
            close_old_connections()
            ProcessHeartbeat.record(
                ProcessHeartbeat.Kind.BEAT,
                self._holder,
                now=timezone.now(),
                pid=os.getpid(),
                started_at=self._heartbeat_started,
                info={
                    "schedules": len(self.schedule),
                    "leader": self._leader,
                    "holder": self._holder,
                },
            )
            self._heartbeat_last = time.monotonic()
        except Exception:
            log.warning("beat heartbeat could not be written", exc_info=True)

    def close(self) -> None:
        try:
            SchedulerLease.release(LEASE_NAME, self._holder)
            ProcessHeartbeat.record_stop(
                ProcessHeartbeat.Kind.BEAT, self._holder, now=timezone.now()
            )
        except Exception:
            log.warning("beat stop could not be recorded", exc_info=True)
        super().close()
