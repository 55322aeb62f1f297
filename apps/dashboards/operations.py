"""The operations page: the portal's own database, host and Celery, read live.

PostgreSQL facts come from its statistics views; pg_stat_statements is optional (absent, or
installed but not preloaded): then the page says so instead of failing. On SQLite the page
shows what exists there: the file sizes and row counts.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import psutil
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from apps.backups.models import BackupRun, RestoreCheck
from apps.dashboards.overview import PortalHealth, portal_health
from apps.jobs.models import JobRun

FAILED_JOB = [JobRun.Status.FAILED, JobRun.Status.ABANDONED]


@dataclass
class Database:
    vendor: str
    size_bytes: int | None = None
    connections: dict[str, int] = field(default_factory=dict)
    max_connections: int | None = None
    cache_hit_ratio: float | None = None
    tables: list[tuple[str, int | None, int]] = field(default_factory=list)  # name, bytes, rows
    statements: list[dict] | None = None  # None: pg_stat_statements unavailable
    statements_note: str = ""

    @property
    def connections_total(self) -> int:
        return sum(self.connections.values())

    @property
    def connections_percent(self) -> float | None:
        if not self.max_connections:
            return None
        return self.connections_total * 100 / self.max_connections


@dataclass
class Host:
    cpu_percent: float
    load: tuple[float, float, float]
    memory_percent: float
    memory_used: int
    memory_total: int
    disk_percent: float
    disk_used: int
    disk_total: int
    disk_path: str


@dataclass
class Operations:
    database: Database
    host: Host
    health: PortalHealth
    failed_jobs: list[JobRun]
    failed_backups: list[BackupRun]
    failed_checks: list[RestoreCheck]
    recent_jobs: list[JobRun]


def _rows(sql: str, params: tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def postgres_database() -> Database:
    db = Database("postgresql")
    db.size_bytes = _rows("SELECT pg_database_size(current_database())")[0][0]
    db.connections = {
        state or "unknown": n
        for state, n in _rows(
            "SELECT COALESCE(state, backend_type), count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() GROUP BY 1 ORDER BY 2 DESC"
        )
    }
    db.max_connections = int(_rows("SHOW max_connections")[0][0])
    hit = _rows(
        "SELECT sum(blks_hit)::float / NULLIF(sum(blks_hit) + sum(blks_read), 0) "
        "FROM pg_stat_database WHERE datname = current_database()"
    )[0][0]
    db.cache_hit_ratio = hit
    db.tables = [
        (name, size, rows)
        for name, size, rows in _rows(
            "SELECT relname, pg_total_relation_size(relid), n_live_tup FROM pg_stat_user_tables "
            "ORDER BY 2 DESC LIMIT 10"
        )
    ]
    db.statements, db.statements_note = slow_statements()
    return db


def slow_statements(limit: int = 10) -> tuple[list[dict] | None, str]:
    """The slowest statements by mean time, or None and why they cannot be read."""
    if not _rows("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"):
        return None, (
            "pg_stat_statements is not installed: add it to shared_preload_libraries and run "
            "CREATE EXTENSION pg_stat_statements to see the slowest statements here."
        )
    try:
        # A savepoint: the view errors when the library is not preloaded, and that error must
        # not break the rest of the request's transaction.
        with transaction.atomic():
            rows = _rows(
                "SELECT query, calls, mean_exec_time, total_exec_time FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "ORDER BY mean_exec_time DESC LIMIT %s",
                (limit,),
            )
    except DatabaseError as exc:
        return None, f"pg_stat_statements cannot be read: {str(exc).strip().splitlines()[0]}"
    return [
        {"query": q[:300], "calls": c, "mean_ms": mean, "total_ms": total}
        for q, c, mean, total in rows
    ], ""


def sqlite_database() -> Database:
    db = Database("sqlite")
    path = Path(settings.DATABASES["default"]["NAME"])
    sizes = [p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()]
    db.size_bytes = sum(sizes) if sizes else None
    tables = connection.introspection.table_names()
    counts = []
    for name in tables:
        quoted = connection.ops.quote_name(name)
        counts.append((name, None, _rows(f"SELECT count(*) FROM {quoted}")[0][0]))  # noqa: S608
    db.tables = sorted(counts, key=lambda t: -t[2])[:10]
    db.statements_note = "Statement statistics need PostgreSQL (pg_stat_statements)."
    return db


def host(path: Path | None = None) -> Host:
    path = path or settings.VAR_DIR
    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(str(path))
    return Host(
        cpu_percent=psutil.cpu_percent(interval=0.1),
        load=psutil.getloadavg(),
        memory_percent=memory.percent,
        memory_used=memory.total - memory.available,
        memory_total=memory.total,
        disk_percent=disk.percent,
        disk_used=disk.used,
        disk_total=disk.total,
        disk_path=str(path),
    )


def build(*, now: datetime) -> Operations:
    database = postgres_database() if connection.vendor == "postgresql" else sqlite_database()
    week = now - timedelta(days=7)
    return Operations(
        database=database,
        host=host(),
        health=portal_health(now=now),
        failed_jobs=list(JobRun.objects.filter(status__in=FAILED_JOB, started_at__gte=week)[:10]),
        failed_backups=list(
            BackupRun.objects.filter(
                status=BackupRun.Status.FAILED, created_at__gte=week
            ).select_related("policy")[:10]
        ),
        failed_checks=list(
            RestoreCheck.objects.filter(
                status=RestoreCheck.Status.FAILED, started_at__gte=week
            ).select_related("policy")[:10]
        ),
        recent_jobs=list(JobRun.objects.all()[:15]),
    )
