"""Backup gauges on /metrics: newest good backup age and last restore check result."""

import pytest

from apps.backups import backup
from apps.backups.restore import restore_check
from apps.health.metrics import render_metrics

pytestmark = pytest.mark.django_db


def test_backup_gauges(policy, metrics_open):
    assert b'portal_backup_newest_good_age_seconds{policy="shop"}' not in render_metrics()
    run = backup.run(policy, trigger="command")
    restore_check(policy, trigger="command")
    text = render_metrics().decode()
    assert 'portal_backup_newest_good_age_seconds{policy="shop"}' in text
    assert f'portal_backup_newest_good_size_bytes{{policy="shop"}} {float(run.size_bytes)}' in text
    assert 'portal_backup_newest_good_duration_seconds{policy="shop"}' in text
    assert 'portal_backup_restore_check_ok{policy="shop"} 1.0' in text
