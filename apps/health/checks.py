"""Checks of the portal's own components, as used by /health, /health/ready and commands.

Each check returns a `Component`; `critical` ones make the portal unready (503), the others
only make it `degraded`.
"""

import os
import shutil
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

import portal
from apps.health.models import ProcessHeartbeat

PROCESS_STARTED = time.time()
MIGRATIONS_OK_SECONDS = 30


@dataclass
class Component:
    name: str
    ok: bool
    critical: bool
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "critical": self.critical, **self.detail}


def _error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip(": ")


def check_database() -> Component:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Component("database", False, True, {"error": _error(exc)})
    latency = (time.perf_counter() - started) * 1000
    return Component(
        "database", True, True, {"vendor": connection.vendor, "latency_ms": round(latency, 2)}
    )


_migrations_ok_until = 0.0


def check_migrations() -> Component:
    """Unapplied migrations make the portal unready; a good answer is kept for 30 s."""
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return Component("migrations", True, True, {"pending": 0})
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return Component("migrations", False, True, {"error": _error(exc)})
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    if pending:
        return Component(
            "migrations",
            False,
            True,
            {"pending": len(pending), "error": f"unapplied migrations: {', '.join(pending[:5])}"},
        )
    _migrations_ok_until = time.monotonic() + MIGRATIONS_OK_SECONDS
    return Component("migrations", True, True, {"pending": 0})


def check_cache() -> Component:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key = f"health:{socket.gethostname()}:{os.getpid()}"
    value = uuid.uuid4().hex
    started = time.perf_counter()
    try:
        cache.set(key, value, 30)
        if cache.get(key) != value:
            return Component(
                "cache", False, True, {"backend": backend, "error": "read back failed"}
            )
    except Exception as exc:
        return Component("cache", False, True, {"backend": backend, "error": _error(exc)})
    latency = (time.perf_counter() - started) * 1000
    return Component("cache", True, True, {"backend": backend, "latency_ms": round(latency, 2)})


_redis_clients: dict[str, object] = {}


def _redis(url: str):  # noqa: ANN202 - redis client
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        _redis_clients[url] = client
    return client


def queue_depths() -> dict[str, int]:
    """Messages waiting per portal queue (raises when the broker cannot be reached)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        names = [entry.name for entry in os.scandir(folder)]
        return {q: sum(1 for n in names if n.endswith(f".{q}.msg")) for q in settings.PORTAL_QUEUES}
    if url.startswith(("redis://", "rediss://")):
        client = _redis(url)
        with client.pipeline(transaction=False) as pipe:
            for q in settings.PORTAL_QUEUES:
                pipe.llen(q)
            return dict(zip(settings.PORTAL_QUEUES, pipe.execute(), strict=True))
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {}


def check_broker() -> Component:
    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    started = time.perf_counter()
    try:
        depths = queue_depths()
    except Exception as exc:
        return Component("broker", False, False, {"transport": transport, "error": _error(exc)})
    latency = (time.perf_counter() - started) * 1000
    return Component(
        "broker",
        True,
        False,
        {"transport": transport, "latency_ms": round(latency, 2), "queues": depths},
    )


def _process_list(kind: str, now: datetime, max_age: int) -> list[dict]:
    return [
        {
            "name": hb.name,
            "seen_seconds_ago": round((now - hb.last_seen).total_seconds(), 1),
            **hb.info,
        }
        for hb in ProcessHeartbeat.alive(kind, now=now, max_age=max_age)
    ]


def check_workers(now: datetime | None = None) -> Component:
    now = now or timezone.now()
    max_age = settings.HEALTH_WORKER_MAX_AGE
    try:
        workers = _process_list(ProcessHeartbeat.Kind.WORKER, now, max_age)
    except Exception as exc:
        return Component("workers", False, False, {"error": _error(exc)})
    if not workers:
        return Component(
            "workers",
            False,
            False,
            {"count": 0, "error": f"no Celery worker heartbeat in the last {max_age} s"},
        )
    return Component("workers", True, False, {"count": len(workers), "workers": workers})


def check_beat(now: datetime | None = None) -> Component:
    now = now or timezone.now()
    max_age = settings.HEALTH_BEAT_MAX_AGE
    try:
        latest = (
            ProcessHeartbeat.objects.filter(kind=ProcessHeartbeat.Kind.BEAT)
            .order_by("-last_seen")
            .first()
        )
    except Exception as exc:
        return Component("beat", False, False, {"error": _error(exc)})
    if latest is None:
        return Component("beat", False, False, {"error": "beat has never ticked"})
    age = (now - latest.last_seen).total_seconds()
    detail = {"name": latest.name, "last_tick": latest.last_seen.isoformat(), "age_seconds": age}
    if latest.stopped_at is not None:
        return Component("beat", False, False, {**detail, "error": "beat was stopped"})
    if age > max_age:
        return Component("beat", False, False, {**detail, "error": f"no beat tick for {age:.0f} s"})
    return Component("beat", True, False, detail)


PIPELINE_MAX_AGE = 120


def check_pipeline(now: datetime | None = None) -> Component:
    """The newest scheduled tick a worker ran (sent by beat every 30 s)."""
    now = now or timezone.now()
    try:
        latest = (
            ProcessHeartbeat.objects.filter(kind=ProcessHeartbeat.Kind.PIPELINE)
            .values_list("last_seen", flat=True)
            .first()
        )
    except Exception as exc:
        return Component("pipeline", False, False, {"error": _error(exc)})
    if latest is None:
        return Component("pipeline", False, False, {"error": "no scheduled task has run yet"})
    age = (now - latest).total_seconds()
    detail = {"last_run": latest.isoformat(), "age_seconds": round(age, 1)}
    if age > PIPELINE_MAX_AGE:
        detail["error"] = f"no scheduled task has run for {age:.0f} s"
        return Component("pipeline", False, False, detail)
    return Component("pipeline", True, False, detail)


def check_disk(path: Path | None = None) -> Component:
    path = path or settings.VAR_DIR
    usage = shutil.disk_usage(path)
    free_percent = usage.free * 100 / usage.total if usage.total else 0.0
    detail = {
        "path": str(path),
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "free_percent": round(free_percent, 1),
    }
    if free_percent < settings.HEALTH_DISK_MIN_FREE_PERCENT:
        detail["error"] = f"only {free_percent:.1f} % free"
        return Component("disk", False, False, detail)
    return Component("disk", True, False, detail)


def process_info() -> dict:
    memory = psutil.Process().memory_info()
    return {
        "pid": os.getpid(),
        "rss_bytes": memory.rss,
        "vms_bytes": memory.vms,
        "python_allocated_blocks": sys.getallocatedblocks(),
        "threads": threading.active_count(),
    }


def readiness() -> list[Component]:
    """What must work before the portal takes traffic."""
    database = check_database()
    components = [database]
    if database.ok:
        components.append(check_migrations())
    components.append(check_cache())
    return components


def summarize(components: list[Component]) -> str:
    """`fail` when a critical component fails, `degraded` when another does, else `ok`."""
    if any(not c.ok and c.critical for c in components):
        return "fail"
    if any(not c.ok for c in components):
        return "degraded"
    return "ok"


def full_report(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    components = readiness()
    database_ok = components[0].ok
    components.append(check_broker())
    if database_ok:
        components += [check_workers(now), check_beat(now), check_pipeline(now)]
    else:
        reason = {"error": "unknown: the database is unreachable"}
        components += [Component(n, False, False, reason) for n in ("workers", "beat", "pipeline")]
    components.append(check_disk())
    return {
        "status": summarize(components),
        "checked_at": now.isoformat(),
        "version": portal.__version__,
        "uptime_seconds": round(time.time() - PROCESS_STARTED, 1),
        "host": socket.gethostname(),
        "components": {c.name: c.as_dict() for c in components},
        "failing": [c.name for c in components if not c.ok],
        "process": process_info(),
    }
