"""Where backup files live: a local directory (BACKUP_DIR, one folder per policy) or, for
policies that say so, an S3-compatible bucket (apps.backups.s3).

A local file is written as `.run-<id>.partial`, fsynced, and renamed to its final name only
after its checksum is stored on the run row; a run that dies half-way never leaves a file under
a good name, and `clean_orphans()` (called by the jobs app's maintenance) removes what it left.
"""

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

log = logging.getLogger(__name__)

CHUNK = 1 << 20
FETCH_DIR = ".fetch"
PARTIAL = re.compile(r"^\.run-(\d+)\.")


class HashingWriter:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.scratch = path.with_suffix(".sqlite3")  # room for the SQLite online-backup copy
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._file = open(path, "xb")  # noqa: SIM115 - closed by finish()/discard

    def write(self, data: bytes) -> int:
        self._file.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._file.flush()

    def finish(self) -> str:
        """Flush to disk; returns the hex digest."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return self.sha256.hexdigest()

    def close(self) -> None:
        self._file.close()


class LocalStorage:
    def __init__(self, root: Path, folder: str) -> None:
        self.root = root
        self.folder = folder
        self.dir = root / folder

    def partial_path(self, run_id: int, suffix: str = "partial") -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir / f".run-{run_id}.{suffix}"

    def final_name(self, run_id: int, started: datetime, extension: str) -> str:
        return f"{self.folder}/{started:%Y%m%dT%H%M%SZ}-run-{run_id}.{extension}"

    def path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"{name!r} is outside the backup directory")
        return path

    def open_writer(self, run_id: int, name: str = "") -> HashingWriter:
        path = self.partial_path(run_id)
        path.unlink(missing_ok=True)  # a redelivered task starts over
        return HashingWriter(path)

    def commit(self, writer: HashingWriter, name: str) -> None:
        os.replace(writer.path, self.path(name))
        _fsync_dir(self.dir)

    def discard(self, run_id: int) -> None:
        for path in self.dir.glob(f".run-{run_id}.*"):
            path.unlink(missing_ok=True)

    def delete(self, name: str) -> None:
        if name:
            self.path(name).unlink(missing_ok=True)

    def open(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")  # noqa: SIM115 - the caller closes it

    def checksum(self, name: str, progress: Callable[[int], None] | None = None) -> str:
        digest = hashlib.sha256()
        with self.open(name) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                if progress:
                    progress(len(chunk))
        return digest.hexdigest()

    @contextmanager
    def fetch(self, name: str, progress: Callable[[int], None] | None = None) -> Iterator:
        """Yields (path, sha256) of the stored file, for tools that need a local path."""
        yield self.path(name), self.checksum(name, progress)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_storage(policy, kind: str = ""):  # noqa: ANN001, ANN201 - LocalStorage | S3BackupStorage
    """The storage of `policy`'s files: its own setting, or `kind` (a run's recorded storage)."""
    return storage_at(policy.pk, kind or policy.storage)


def storage_at(policy_id: int, kind: str):  # noqa: ANN201
    local = LocalStorage(Path(settings.BACKUP_DIR), f"policy-{policy_id}")
    if kind == "s3":
        from apps.backups.s3 import S3BackupStorage

        return S3BackupStorage(local, local.folder)
    return local


def run_storage(run):  # noqa: ANN001, ANN201
    """Where `run`'s file is: the storage recorded when it was taken."""
    return get_storage(run.policy, run.storage)


def clean_orphans(*, now: datetime | None = None) -> list[str]:
    """Fail dead runs and remove every file no live or good run owns; returns the paths.

    Safe to call at any time from any process: files of runs still in progress are kept.
    """
    from django.utils import timezone

    from apps.backups.leases import fail_dead_runs
    from apps.backups.models import BackupRun

    now = now or timezone.now()
    fail_dead_runs(now=now)
    active = set(BackupRun.objects.filter(status__in=BackupRun.ACTIVE).values_list("pk", flat=True))
    owned = (
        BackupRun.objects.filter(
            status__in=[BackupRun.Status.SUCCEEDED, *BackupRun.ACTIVE], pruned_at__isnull=True
        )
        .exclude(file_name="")
        .values_list("storage", "file_name")
    )
    removed = _clean_local(active, {name for kind, name in owned if kind == "local"})
    if _uses_s3():
        from apps.backups import s3

        removed += s3.clean_orphans(active, {name for kind, name in owned if kind == "s3"})
    return removed


def _uses_s3() -> bool:
    from apps.backups import s3
    from apps.backups.models import BackupPolicy, BackupRun

    return s3.configured() and (
        BackupPolicy.objects.filter(storage="s3").exists()
        or BackupRun.objects.filter(storage="s3", pruned_at__isnull=True).exists()
    )


def _clean_local(active: set[int], good: set[str]) -> list[str]:
    root = Path(settings.BACKUP_DIR)
    if not root.is_dir():
        return []
    removed = []
    # Downloads for restores (S3) older than a day belong to a process that died.
    for path in sorted((root / FETCH_DIR).glob("*")):
        if path.is_file() and time.time() - path.stat().st_mtime > 86400:
            path.unlink(missing_ok=True)
            removed.append(str(path))
    for path in sorted(root.glob("policy-*/*")) + sorted(root.glob("policy-*/.run-*")):
        if not path.is_file():
            continue
        match = PARTIAL.match(path.name)
        if match and int(match.group(1)) in active:
            continue
        if not match and f"{path.parent.name}/{path.name}" in good:
            continue
        path.unlink(missing_ok=True)
        removed.append(str(path))
        log.info("removed orphan backup file %s", path)
    return removed
