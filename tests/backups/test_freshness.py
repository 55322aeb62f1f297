"""Stale backups open an incident through the intake; a fresh good backup resolves it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.backups import backup
from apps.backups.freshness import check_all
from apps.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_stale_backup_opens_and_fresh_backup_resolves(policy):
    run = backup.run(policy, trigger="command")
    assert check_all(now=run.finished_at + timedelta(hours=1))[policy.pk] == []
    later = run.finished_at + timedelta(hours=30)
    problems = check_all(now=later)[policy.pk]
    assert problems and "26 h" in problems[0]
    incident = Incident.objects.open().get(cause=f"backup:policy:{policy.pk}")
    assert "newest good backup is 30.0 h old" in incident.title
    check_all(now=later)  # reported again: still one incident
    assert Incident.objects.filter(cause=incident.cause).count() == 1
    backup.run(policy, trigger="command")
    check_all(now=timezone.now())
    assert not Incident.objects.open().filter(cause=incident.cause).exists()


def test_new_policy_without_backups_is_only_late_after_its_limit(policy):
    assert check_all(now=policy.created_at + timedelta(hours=1))[policy.pk] == []
    assert (
        "no good backup at all"
        in check_all(now=policy.created_at + timedelta(hours=27))[policy.pk][0]
    )
