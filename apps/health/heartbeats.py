"""Worker heartbeats: every Celery worker writes a row every HEARTBEAT_INTERVAL seconds.

The row lives in the database so `/health` on any web host sees every worker, whatever the
broker (the filesystem broker has no remote control to ping workers with).
"""

import logging
import os
import threading

from celery.signals import celeryd_after_setup, worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from apps.health.models import ProcessHeartbeat

log = logging.getLogger(__name__)


class WorkerHeartbeat:
    """A daemon thread in the worker's main process that records it is alive."""

    def __init__(self, hostname: str, queues: list[str], interval: int) -> None:
        self.hostname = hostname
        self.queues = queues
        self.interval = interval
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="portal-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def beat_once(self) -> None:
        try:
            ProcessHeartbeat.record(
                ProcessHeartbeat.Kind.WORKER,
                self.hostname,
                now=timezone.now(),
                pid=os.getpid(),
                started_at=self.started_at,
                info={"queues": self.queues},
            )
        except Exception:
            log.warning("worker heartbeat could not be written", exc_info=True)
        finally:
            close_old_connections()
            connection.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat_once()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            ProcessHeartbeat.record_stop(
                ProcessHeartbeat.Kind.WORKER, self.hostname, now=timezone.now()
            )
        except Exception:
            log.warning("worker stop could not be recorded", exc_info=True)
        finally:
            connection.close()


_state: dict[str, object] = {}


@celeryd_after_setup.connect
def _remember_worker(sender: str, instance: object, **kwargs: object) -> None:
    queues = sorted(instance.app.amqp.queues.consume_from.keys())
    _state["hostname"] = sender
    _state["queues"] = queues


@worker_ready.connect
def _start_heartbeat(sender: object, **kwargs: object) -> None:
    hostname = str(_state.get("hostname") or getattr(sender, "hostname", "worker"))
    heartbeat = WorkerHeartbeat(
        hostname, list(_state.get("queues", [])), settings.HEARTBEAT_INTERVAL
    )
    heartbeat.start()
    _state["heartbeat"] = heartbeat


@worker_shutdown.connect
def _stop_heartbeat(sender: object, **kwargs: object) -> None:
    heartbeat = _state.pop("heartbeat", None)
    if isinstance(heartbeat, WorkerHeartbeat):
        heartbeat.stop()
