"""Running a job: take the lock, record progress and a log tail, finish or fail the JobRun.

Every entry point (beat task, admin action, API, command) goes through `run_job`, so every
run is recorded the same way whoever started it.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

from apps.jobs import locking
from apps.jobs.models import JobRun

log = logging.getLogger(__name__)


class RunRecorder:
    """What a job body uses to report: log lines, counts and progress, written at most once a
    second (and at the end) so a tight loop does not turn into a write storm."""

    def __init__(self, run: JobRun, *, echo: Callable[[str], None] | None = None) -> None:
        self.run = run
        self.echo = echo
        self._lines: list[str] = []
        self._last_flush = 0.0

    @property
    def dry_run(self) -> bool:
        return self.run.dry_run

    def log(self, line: str) -> None:
        log.info("%s #%s: %s", self.run.kind, self.run.pk, line)
        self._lines.append(line)
        if self.echo:
            self.echo(line)
        self.flush(force=True)

    def count(self, name: str, n: int = 1) -> None:
        self.run.counts[name] = self.run.counts.get(name, 0) + n

    def progress(self, percent: float) -> None:
        self.run.progress = max(0.0, min(100.0, percent))
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_flush < 1.0:
            return
        self._last_flush = time.monotonic()
        self.run.log_tail = "\n".join(self._lines)[-JobRun.LOG_TAIL_CHARS :]
        self.run.heartbeat_at = timezone.now()
        JobRun.objects.filter(pk=self.run.pk).update(
            counts=self.run.counts,
            progress=self.run.progress,
            log_tail=self.run.log_tail,
            heartbeat_at=self.run.heartbeat_at,
        )


def start(
    kind: str,
    *,
    trigger: str,
    user=None,  # noqa: ANN001
    dry_run: bool = False,
    params: dict | None = None,
    lock_key: str | None = None,
    now: datetime | None = None,
    request=None,  # noqa: ANN001
) -> JobRun:
    """Take the job's lock (a running JobRun) and audit the trigger.

    Raises locking.JobAlreadyRunning when a run is in progress. The web (admin, API) calls
    this in the request so a double click is refused at once, then queues the body with the
    run's id; the lease frees the lock if no worker ever picks it up.
    """
    from apps.audit.log import record

    run = locking.acquire(
        kind,
        now=now or timezone.now(),
        trigger=trigger,
        user=user,
        dry_run=dry_run,
        params=params,
        lock_key=lock_key,
    )
    record(
        "job.trigger",
        actor=user,
        target=run,
        detail={"kind": kind, "trigger": trigger, "dry_run": dry_run, "params": params or {}},
        request=request,
    )
    return run


def claim(run_id: int) -> JobRun:
    """A run started by the web, now taken over by the worker that executes it."""
    run = JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).first()
    if run is None:
        raise locking.JobAlreadyRunning(None, f"run #{run_id} is no longer pending;")
    run.heartbeat_at = timezone.now()
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at)
    return run


@contextmanager
def run_job(
    kind: str,
    *,
    trigger: str,
    user=None,  # noqa: ANN001
    dry_run: bool = False,
    params: dict | None = None,
    lock_key: str | None = None,
    now: datetime | None = None,
    echo: Callable[[str], None] | None = None,
    run: JobRun | None = None,
) -> Iterator[RunRecorder]:
    """Hold the job's lock for the body; the JobRun ends succeeded, or failed with the error.

    Starts a new run (raising locking.JobAlreadyRunning when one is in progress) unless
    `run`, one already started by `start`, is given.
    """
    if run is None:
        run = start(
            kind,
            trigger=trigger,
            user=user,
            dry_run=dry_run,
            params=params,
            lock_key=lock_key,
            now=now,
        )
    recorder = RunRecorder(run, echo=echo)
    try:
        yield recorder
    except BaseException as exc:
        recorder.flush(force=True)
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:4000],
        )
        run.refresh_from_db()
        raise
    recorder.run.progress = 100.0
    recorder.flush(force=True)
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now()
    )
    run.refresh_from_db()
