"""Taking and verifying backups: the one place every entry point calls.

`run(policy, trigger=...)` = `start` (claim a row; the database refuses a second active run)
plus `execute` (stream the dump into storage). The beat task, admin action, API and the
`backup_now` command all end here.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.log import record
from apps.backups import dumping
from apps.backups.credentials import policy_connection
from apps.backups.errors import AlreadyRunning, BackupError, NoGoodBackup
from apps.backups.leases import LeaseKeeper, fail_dead_runs, is_dead, owner_token
from apps.backups.models import BackupPolicy, BackupRun
from apps.backups.storage import run_storage

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


def start(
    policy: BackupPolicy,
    *,
    trigger: str,
    now: datetime | None = None,
    request=None,  # noqa: ANN001 - the admin or API request, for the audit log's actor
) -> BackupRun:
    """Claim a queued run for `policy`; AlreadyRunning when one is queued or running."""
    now = now or timezone.now()
    fail_dead_runs(now=now, policy_id=policy.pk)
    try:
        with transaction.atomic():
            created = BackupRun.objects.create(
                policy=policy, trigger=trigger, created_at=now, storage=policy.storage
            )
            record(
                "backup.trigger",
                target=created,
                detail={"policy": policy.name, "trigger": trigger},
                request=request,
            )
            return created
    except IntegrityError:
        active = BackupRun.objects.filter(policy=policy, status__in=BackupRun.ACTIVE).first()
        since = f" since {active.created_at:%Y-%m-%d %H:%M:%S} UTC" if active else ""
        raise AlreadyRunning(
            f"a backup of {policy.name!r} is already running (run {getattr(active, 'pk', '?')}"
            f"{since}); wait for it to finish"
        ) from None


def run(
    policy: BackupPolicy,
    *,
    trigger: str,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> BackupRun:
    """Back up `policy` now, in this process; returns the finished run (succeeded or failed)."""
    return execute(start(policy, trigger=trigger, now=now), progress=progress)


def execute(run: BackupRun, *, progress: Progress | None = None) -> BackupRun:
    """Do the work of a claimed run. Safe to call twice (a redelivered task)."""
    now = timezone.now()
    claimed = BackupRun.objects.filter(pk=run.pk, status=BackupRun.Status.QUEUED).update(
        status=BackupRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        owner=owner_token(),
        bytes_done=0,
        expected_bytes=previous_size(run.policy_id),
    )
    run.refresh_from_db()
    if not claimed:
        if run.status == BackupRun.Status.RUNNING:
            if is_dead(run.owner, run.heartbeat_at, now=now):
                fail_dead_runs(now=now, policy_id=run.policy_id)
                run.refresh_from_db()
                return run
            raise AlreadyRunning(f"backup run {run.pk} is already running in {run.owner}")
        return run  # already finished: a duplicate delivery has nothing to do
    policy = run.policy
    sqlite = policy.kind == BackupPolicy.Kind.PORTAL and conn_is_sqlite()
    counter = _Counter(progress)
    writer = None
    try:
        with LeaseKeeper(BackupRun, run.pk, lambda: {"bytes_done": counter.size}):
            writer, info, name = _dump(run, sqlite, counter)
            digest = writer.finish()
        # The checksum is stored before the rename: a good name always has a known checksum.
        BackupRun.objects.filter(pk=run.pk).update(
            sha256=digest,
            size_bytes=writer.size,
            bytes_done=writer.size,
            file_name=name,
            database_bytes=info.database_bytes,
            server_version=info.server_version[:100],
            tool_version=info.tool_version[:100],
            log_tail=info.log_tail,
        )
        run_storage(run).commit(writer, name)
        finished = timezone.now()
        BackupRun.objects.filter(pk=run.pk).update(
            status=BackupRun.Status.SUCCEEDED, finished_at=finished
        )
    except BaseException as exc:
        _clean_up(run, writer)
        message = _describe(exc)
        finished = timezone.now()
        BackupRun.objects.filter(pk=run.pk).update(
            status=BackupRun.Status.FAILED,
            finished_at=finished,
            settled_at=finished,
            error=message,
            log_tail=getattr(exc, "log_tail", "") or "",
        )
        log.warning("backup run %s of policy %s failed: %s", run.pk, policy.pk, message)
        _after(policy, now=finished)
        if not isinstance(exc, Exception):
            raise
        run.refresh_from_db()
        return run
    log.info("backup run %s of policy %s: %s bytes", run.pk, policy.pk, writer.size)
    from apps.backups.retention import apply_retention

    apply_retention(policy, now=finished)
    _after(policy, now=finished)
    run.refresh_from_db()
    return run


def verify(
    run: BackupRun, *, now: datetime | None = None, progress: Progress | None = None
) -> bool:
    """Re-read the stored file and compare its SHA-256 with the recorded one."""
    if not run.is_good:
        raise NoGoodBackup(f"backup run {run.pk} has no stored file to verify ({run.status})")
    try:
        ok = run_storage(run).checksum(run.file_name, progress) == run.sha256
    except FileNotFoundError:
        ok = False
    run.verified_at = now or timezone.now()
    run.verify_ok = ok
    run.save(update_fields=["verified_at", "verify_ok"])
    return ok


def _clean_up(run: BackupRun, writer) -> None:  # noqa: ANN001
    """Close and remove what a failed run wrote; a storage that is down is left to maintenance."""
    try:
        if writer is not None:
            writer.close()
        run_storage(run).discard(run.pk)
    except Exception:
        log.warning("could not clean up after backup run %s", run.pk, exc_info=True)


def conn_is_sqlite() -> bool:
    from django.conf import settings

    return settings.DATABASE_VENDOR == "sqlite"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BackupError):
        return exc.message
    if isinstance(exc, OSError):
        return f"storage error: {exc.strerror or exc} ({getattr(exc, 'filename', '') or ''})"
    return f"{type(exc).__name__}: {exc}".strip(": ")


def _after(policy: BackupPolicy, *, now: datetime) -> None:
    from apps.backups.freshness import evaluate

    try:
        evaluate(policy, now=now)
    except Exception:
        log.exception("could not report the backup state of policy %s", policy.pk)


def _dump(run: BackupRun, sqlite: bool, counter: Progress) -> tuple:
    """Stream the dump into a new writer; returns (writer, DumpInfo, final name)."""
    policy = run.policy
    storage = run_storage(run)
    extension = dumping.SQLITE_EXTENSION if sqlite else dumping.PG_EXTENSION
    name = storage.final_name(run.pk, run.started_at, extension)
    writer = storage.open_writer(run.pk, name)
    try:
        conn = policy_connection(policy)
        if sqlite:
            info = dumping.dump_sqlite(conn.dbname, policy.compression_level, writer, counter)
        else:
            info = dumping.dump_postgres(conn, policy.compression_level, writer, counter)
    except BaseException:
        writer.close()
        raise
    return writer, info, name


def previous_size(policy_id: int) -> int | None:
    """The last good file's size: what progress is measured against (an estimate)."""
    return (
        BackupRun.objects.filter(policy_id=policy_id, status=BackupRun.Status.SUCCEEDED)
        .exclude(size_bytes=None)
        .order_by("-finished_at")
        .values_list("size_bytes", flat=True)
        .first()
    )


class _Counter:
    """Progress callback: counts bytes for the lease keeper, forwards them to a progress bar."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.size = 0

    def __call__(self, size: int) -> None:
        self.size += size
        if self.progress:
            self.progress(size)
