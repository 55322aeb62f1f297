"""Retention deletes exactly the expired rows, in batches; dry runs and reruns change nothing."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import PortalError
from apps.jobs import retention
from apps.jobs.models import JobRun, RetentionPolicy
from tests.conftest import ROOT, shared_database_url, subprocess_env, wait_until
from tests.jobs.conftest import insert_audit_rows

pytestmark = pytest.mark.django_db


def _rows(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_audit_log_is_kept_90_days_by_default():
    assert RetentionPolicy.for_kind("audit_log").days == 90


def test_dry_run_counts_and_deletes_nothing():
    now = timezone.now()
    insert_audit_rows(30, now - timedelta(days=91), action="old")
    insert_audit_rows(20, now - timedelta(days=89), action="new")
    run = retention.run(trigger="command", dry_run=True, kind="audit_log", now=now)
    assert run.status == "succeeded" and run.dry_run
    assert run.counts["audit_log_examined"] == 30
    assert run.counts["deleted"] == 0
    assert (_rows("old"), _rows("new")) == (30, 20)


def test_deletes_expired_rows_in_batches_and_a_rerun_deletes_nothing_more():
    now = timezone.now()
    insert_audit_rows(1050, now - timedelta(days=100), action="old")
    insert_audit_rows(40, now - timedelta(days=10), action="new")
    batches: list[int] = []
    outcome = retention.apply(
        "audit_log", now=now, batch_size=100, on_batch=lambda done, total: batches.append(done)
    )
    assert outcome.deleted == 1050 and outcome.examined == 1050
    assert batches[:2] == [100, 200] and batches[-1] == 1050 and len(batches) == 11
    assert (_rows("old"), _rows("new")) == (0, 40)
    assert retention.apply("audit_log", now=now, batch_size=100).deleted == 0
    assert _rows("new") == 40


def test_days_come_from_the_editable_policy():
    now = timezone.now()
    insert_audit_rows(5, now - timedelta(days=8), action="week-old")
    RetentionPolicy.for_kind("audit_log")
    RetentionPolicy.objects.filter(kind="audit_log").update(days=7)
    assert retention.apply("audit_log", now=now).deleted == 5


def test_unknown_kind_is_refused_before_anything_runs():
    with pytest.raises(PortalError, match="unknown retention kind 'nope'"):
        retention.run(trigger="command", kind="nope")
    assert JobRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_killed_run_rerun_ends_with_exactly_the_expired_rows_gone(settings):
    now = timezone.now()
    insert_audit_rows(60_000, now - timedelta(days=120), action="old")
    insert_audit_rows(500, now - timedelta(days=30), action="new")
    env = subprocess_env(DATABASE_URL=shared_database_url())
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "apply_retention",
            "--kind",
            "audit_log",
            "--batch-size",
            "100",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: _rows("old") < 55_000, timeout=60, interval=0.02, what="deletes")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left = _rows("old")
    assert 0 < left < 60_000, "the run must have been killed half-way"
    assert JobRun.objects.get(kind="retention").status == "running"  # it died holding the lock

    settings.JOBS_LOCK_LEASE_SECONDS = 0  # its heartbeat is older than any lease now
    run = retention.run(trigger="command", kind="audit_log", now=timezone.now())
    assert run.counts["deleted"] == left
    assert (_rows("old"), _rows("new")) == (0, 500)
    assert JobRun.objects.get(status="abandoned").kind == "retention"
