"""Late detection with controlled time: period, cron with a time zone, grace, maintenance."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.incidents.models import MaintenanceWindow
from apps.monitoring.heartbeats import PingIn, check_late, record_ping
from apps.monitoring.models import Monitor
from apps.monitoring.schedule import deadline
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def beat(service, **kwargs) -> Monitor:
    kwargs.setdefault("period_seconds", 3600)
    kwargs.setdefault("grace_seconds", 300)
    m = make_monitor(service, kind="heartbeat", target="", failures_before_down=1, **kwargs)
    Monitor.objects.filter(pk=m.pk).update(created_at=T0, next_due_at=T0)
    return m


def state(m: Monitor) -> str:
    m.refresh_from_db()
    return m.state


def test_period_and_grace(service):
    m = beat(service)
    record_ping(PingIn(key=m.ping_key, kind="success"), now=T0)
    assert state(m) == "up"
    assert check_late(now=T0 + timedelta(seconds=3600 + 299)) == 0
    assert state(m) == "up"
    assert check_late(now=T0 + timedelta(seconds=3600 + 301)) == 1
    assert state(m) == "down"
    assert m.state_changes.latest("at").reason.startswith("late")
    record_ping(PingIn(key=m.ping_key, kind="success"), now=T0 + timedelta(hours=2))
    assert state(m) == "up"


def test_never_pinged_is_late_one_period_after_creation(service):
    m = beat(service)
    check_late(now=T0 + timedelta(minutes=10))
    assert state(m) == "pending"
    check_late(now=T0 + timedelta(minutes=66))
    assert state(m) == "down"


def test_cron_in_a_time_zone(service):
    # Daily at 02:00 Berlin time = 01:00 UTC in March (CET); grace 10 minutes.
    m = beat(service, cron="0 2 * * *", tz="Europe/Berlin", grace_seconds=600)
    record_ping(PingIn(key=m.ping_key, kind="success"), now=T0)
    check_late(now=T0 + timedelta(seconds=1))  # cron monitors get their deadline computed here
    m.refresh_from_db()
    assert m.next_due_at == datetime(2026, 3, 3, 1, 10, tzinfo=UTC)
    check_late(now=datetime(2026, 3, 3, 1, 9, tzinfo=UTC))
    assert state(m) == "up"
    check_late(now=datetime(2026, 3, 3, 1, 11, tzinfo=UTC))
    assert state(m) == "down"


def test_cron_deadline_follows_daylight_saving():
    # 03:30 in Berlin is 02:30 UTC in winter (CET) and 01:30 UTC after 2026-03-29 (CEST).
    def expires(after: datetime) -> datetime:
        return deadline(
            after, period_seconds=0, cron="30 3 * * *", tz="Europe/Berlin", grace_seconds=0
        )

    assert expires(datetime(2026, 3, 20, 0, 30, tzinfo=UTC)) == datetime(
        2026, 3, 20, 2, 30, tzinfo=UTC
    )
    assert expires(datetime(2026, 3, 30, 0, 30, tzinfo=UTC)) == datetime(
        2026, 3, 30, 1, 30, tzinfo=UTC
    )


def test_late_during_maintenance_is_maintenance(service):
    m = beat(service)
    window = MaintenanceWindow.objects.create(
        name="move", starts_at=T0, ends_at=T0 + timedelta(hours=5)
    )
    window.services.add(service)
    check_late(now=T0 + timedelta(hours=2))
    assert state(m) == "maintenance"
