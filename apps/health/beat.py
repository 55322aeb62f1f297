"""The beat scheduler: django-celery-beat's database scheduler that also records its ticks."""

import logging
import os
import socket
import time

from django.db import close_old_connections
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from apps.health.models import ProcessHeartbeat

log = logging.getLogger(__name__)

TICK_RECORD_SECONDS = 10


class HeartbeatScheduler(DatabaseScheduler):
    """Schedules from the database (edited in the admin) and writes a beat heartbeat row."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._heartbeat_name = socket.gethostname()
        self._heartbeat_started = timezone.now()
        self._heartbeat_last = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args: object, **kwargs: object) -> float:
        if time.monotonic() - self._heartbeat_last >= TICK_RECORD_SECONDS:
            self._record_tick()
        return super().tick(*args, **kwargs)

    def _record_tick(self) -> None:
        try:
            close_old_connections()
            ProcessHeartbeat.record(
                ProcessHeartbeat.Kind.BEAT,
                self._heartbeat_name,
                now=timezone.now(),
                pid=os.getpid(),
                started_at=self._heartbeat_started,
                info={"schedules": len(self.schedule)},
            )
            self._heartbeat_last = time.monotonic()
        except Exception:
            log.warning("beat heartbeat could not be written", exc_info=True)

    def close(self) -> None:
        try:
            ProcessHeartbeat.record_stop(
                ProcessHeartbeat.Kind.BEAT, self._heartbeat_name, now=timezone.now()
            )
        except Exception:
            log.warning("beat stop could not be recorded", exc_info=True)
        super().close()
