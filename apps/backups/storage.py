"""Where backup files live: a local directory (BACKUP_DIR, one folder per policy).

A file is written as `.run-<id>.partial`, fsynced, and renamed to its final name only after
its checksum is stored on the run row; a run that dies half-way never leaves a file under a
good name, and `clean_orphans()` (called by the jobs app's maintenance) removes what it left.
"""

import hashlib
import logging
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

log = logging.getLogger(__name__)

CHUNK = 1 << 20
PARTIAL = re.compile(r"^\.run-(\d+)\.")


class HashingWriter:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, path: Path) -> None:
        self.path = path
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

    def open_writer(self, run_id: int) -> HashingWriter:
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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_storage(policy) -> LocalStorage:  # noqa: ANN001
    return LocalStorage(Path(settings.BACKUP_DIR), f"policy-{policy.pk}")


def clean_orphans(*, now: datetime | None = None) -> list[str]:
    """Fail dead runs and remove every file no live or good run owns; returns the paths.

    Safe to call at any time from any process: files of runs still in progress are kept.
    """
    from django.utils import timezone

    from apps.backups.leases import fail_dead_runs
    from apps.backups.models import BackupRun

    now = now or timezone.now()
    fail_dead_runs(now=now)
    root = Path(settings.BACKUP_DIR)
    if not root.is_dir():
        return []
    active = set(BackupRun.objects.filter(status__in=BackupRun.ACTIVE).values_list("pk", flat=True))
    good = set(
        BackupRun.objects.filter(
            status__in=[BackupRun.Status.SUCCEEDED, *BackupRun.ACTIVE], pruned_at__isnull=True
        )
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    removed = []
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
