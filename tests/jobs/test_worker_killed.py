"""A whole worker SIGKILLed in the middle of a job: a new worker finishes it, exactly once.

acks_late keeps the task's message unacknowledged while it runs; when the worker dies the
broker hands it out again after the visibility timeout (5 s here instead of 2 h), and the
new worker claims the same JobRun by id and finishes it.
"""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.jobs.models import JobRun
from apps.jobs.triggers import trigger
from tests.conftest import celery_process, shared_database_url, subprocess_env, wait_until
from tests.jobs.conftest import insert_audit_rows

pytestmark = pytest.mark.django_db(transaction=True)
WORKER = ["worker", "-Q", "maintenance", "-c", "1", "--without-gossip", "--without-mingle"]


def test_job_finishes_once_after_its_worker_is_killed():
    insert_audit_rows(60_000, timezone.now() - timedelta(days=200), action="old.row")
    env = subprocess_env(
        DATABASE_URL=shared_database_url(),
        CELERY_VISIBILITY_TIMEOUT="5",
        RETENTION_BATCH_SIZE="100",
    )
    run = trigger("retention", user=None, trigger="api", retention_kind="audit_log")
    with celery_process(env, *WORKER, "-n", "first@%h") as first:
        wait_until(
            lambda: AuditEntry.objects.filter(action="old.row").count() < 55_000,
            timeout=90,
            what="the first worker to be half-way",
        )
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker, pool and all
        first.wait(10)
    left = AuditEntry.objects.filter(action="old.row").count()
    assert 0 < left < 60_000
    assert JobRun.objects.get(pk=run.pk).status == JobRun.Status.RUNNING

    with celery_process(env, *WORKER, "-n", "second@%h"):
        wait_until(
            lambda: JobRun.objects.get(pk=run.pk).status != JobRun.Status.RUNNING,
            timeout=120,
            what="the second worker to finish the run",
        )
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert AuditEntry.objects.filter(action="old.row").count() == 0
    assert JobRun.objects.filter(kind=JobRun.Kind.RETENTION).count() == 1
