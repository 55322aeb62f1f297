"""Maintenance: expired sessions, VACUUM ANALYZE, stale files and rollups.

Each step is a function `step(run, now)` that logs what it did and adds to the run's counts;
a failing step is logged and the others still run, then the run fails naming it.
Steps owned by other apps (backup orphans, monitoring rollups) are called when those apps
provide them, so this module never needs to know their internals.
"""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from apps.core.errors import PortalError
from apps.jobs import exporting
from apps.jobs.models import JobRun
from apps.jobs.runs import RunRecorder, claim, run_job

# Apps whose tables get VACUUM ANALYZE: the portal's own data, plus sessions and beat.
VACUUM_APPS = ("monitoring", "incidents", "backups", "jobs", "audit", "health", "sessions")

# (module, function): hooks other apps expose; called with now= when present.
OPTIONAL_HOOKS = {
    "backup orphans": ("apps.backups.storage", "clean_orphans"),
    "rollups": ("apps.monitoring.rollups", "refresh_rollups"),
}


class MaintenanceFailed(PortalError):
    pass


def clear_sessions(run: RunRecorder, now: datetime) -> None:
    expired = Session.objects.filter(expire_date__lt=now)
    count = expired.count()
    if not run.dry_run:
        expired.delete()
    run.count("sessions_deleted" if not run.dry_run else "sessions_expired", count)
    run.log(f"sessions: {count} expired" + ("" if run.dry_run else ", deleted"))


def main_tables() -> list[str]:
    tables = []
    for label in VACUUM_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        tables += [m._meta.db_table for m in config.get_models() if m._meta.managed]
    return sorted(set(tables))


def vacuum(run: RunRecorder, now: datetime) -> None:
    if connection.vendor != "postgresql":
        run.log("vacuum: skipped (not PostgreSQL)")
        return
    tables = main_tables()
    if run.dry_run:
        run.log(f"vacuum: would VACUUM ANALYZE {len(tables)} tables")
        return
    if connection.in_atomic_block:
        # VACUUM cannot run inside a transaction block.
        run.log("vacuum: skipped (called inside a transaction)")
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            started = time.monotonic()
            cursor.execute(f"VACUUM (ANALYZE) {quote(table)}")
            run.count("tables_vacuumed")
            run.log(f"vacuum: {table} in {time.monotonic() - started:.2f} s")


def old_files(root: Path, older_than: datetime) -> list[Path]:
    if not root.is_dir():
        return []
    limit = older_than.timestamp()
    return [p for p in root.rglob("*") if p.is_file() and p.stat().st_mtime < limit]


def stale_files(run: RunRecorder, now: datetime) -> None:
    exports = exporting.delete_expired_files(now=now, dry_run=run.dry_run)
    run.count("export_files_deleted" if not run.dry_run else "export_files_expired", exports)
    uploads = old_files(
        Path(settings.MEDIA_ROOT) / "uploads", now - timedelta(days=settings.UPLOADS_MAX_AGE_DAYS)
    )
    if not run.dry_run:
        for path in uploads:
            path.unlink(missing_ok=True)
    run.count("upload_files_deleted" if not run.dry_run else "upload_files_old", len(uploads))
    run.log(f"files: {exports} expired export files, {len(uploads)} old uploads")
    _optional_hook(run, "backup orphans", now)


def rollups(run: RunRecorder, now: datetime) -> None:
    _optional_hook(run, "rollups", now)


def _optional_hook(run: RunRecorder, name: str, now: datetime) -> None:
    module_name, func_name = OPTIONAL_HOOKS[name]
    try:
        func = getattr(import_module(module_name), func_name)
    except (ImportError, AttributeError):
        run.log(f"{name}: skipped ({module_name}.{func_name} does not exist)")
        return
    if run.dry_run:
        run.log(f"{name}: would call {module_name}.{func_name}")
        return
    result = func(now=now)
    done = len(result) if isinstance(result, list | tuple | set) else result
    run.log(f"{name}: {func_name} -> {done}")


STEPS: list[tuple[str, Callable[[RunRecorder, datetime], None]]] = [
    ("sessions", clear_sessions),
    ("files", stale_files),
    ("rollups", rollups),
    ("vacuum", vacuum),
]


def run(
    *,
    trigger: str,
    user=None,  # noqa: ANN001
    dry_run: bool = False,
    now: datetime | None = None,
    run_id: int | None = None,
    echo: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> JobRun:
    """One maintenance run (the beat task, admin, API and command all call this).

    `run_id` is a run the web already started (its lock held); the worker carries it out.
    """
    now = now or timezone.now()
    failed = []
    started = claim(run_id) if run_id else None
    if started is not None:
        dry_run = started.dry_run
    with run_job(
        JobRun.Kind.MAINTENANCE,
        trigger=trigger,
        user=user,
        dry_run=dry_run,
        now=now,
        echo=echo,
        run=started,
    ) as recorder:
        for index, (name, step) in enumerate(STEPS, start=1):
            try:
                step(recorder, now)
            except Exception as exc:
                failed.append(name)
                recorder.log(f"{name}: failed: {type(exc).__name__}: {exc}")
            recorder.progress(100.0 * index / len(STEPS))
            if on_step is not None:
                on_step(name)
        if failed:
            raise MaintenanceFailed(f"maintenance steps failed: {', '.join(failed)}")
    return recorder.run
