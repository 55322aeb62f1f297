"""active_service_ids() and suppression of automatic incidents inside maintenance windows."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.incidents.intake import report_problem
from apps.incidents.maintenance import active_service_ids
from apps.incidents.models import Incident, MaintenanceWindow

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a Sunday


def window(services, **fields):
    w = MaintenanceWindow.objects.create(name="w", **fields)
    w.services.set(services)
    return w


@pytest.mark.django_db
def test_one_off_window_edges(make_service):
    api = make_service("api")
    window([api], starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    assert active_service_ids(NOW - timedelta(seconds=1)) == set()
    assert active_service_ids(NOW) == {api.id}
    assert active_service_ids(NOW + timedelta(minutes=59)) == {api.id}
    assert active_service_ids(NOW + timedelta(hours=1)) == set()


@pytest.mark.django_db
def test_recurring_windows_with_time_zones(make_service):
    api, db, web = make_service("api"), make_service("db"), make_service("web")
    # Sundays 13:00-14:00 Berlin (12:00 UTC in winter) by cron; daily 07:00 New York by RRULE.
    window(
        [api, db],
        starts_at=NOW - timedelta(days=30),
        recurrence_kind="cron",
        recurrence="0 13 * * 0",
        tz="Europe/Berlin",
        duration=timedelta(hours=1),
    )
    window(
        [web],
        starts_at=NOW - timedelta(days=30),
        ends_at=NOW + timedelta(days=2),
        recurrence_kind="rrule",
        recurrence="FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0",
        tz="America/New_York",
        duration=timedelta(hours=5, minutes=30),
    )
    assert active_service_ids(NOW) == {api.id, db.id, web.id}  # 07:00 EST = 12:00 UTC
    assert active_service_ids(NOW + timedelta(hours=1)) == {web.id}
    assert active_service_ids(NOW + timedelta(days=1, hours=1)) == {web.id}  # Monday
    assert active_service_ids(NOW + timedelta(days=7, minutes=30)) == {api.id, db.id}  # series over
    assert active_service_ids(NOW - timedelta(minutes=1)) == set()


@pytest.mark.django_db(transaction=True)
def test_no_incident_for_a_service_in_maintenance(make_service):
    api, web = make_service("api"), make_service("web")
    window([api], starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    assert report_problem("monitor:1", "api down", service_ids=[api.id], now=NOW) is None
    assert not Incident.objects.exists()
    # Only the services outside the window remain affected.
    incident = report_problem("monitor:2", "both down", service_ids=[api.id, web.id], now=NOW)
    assert list(incident.services.values_list("slug", flat=True)) == ["web"]
    # After the window the same failure opens an incident.
    later = report_problem(
        "monitor:1", "api down", service_ids=[api.id], now=NOW + timedelta(hours=1)
    )
    assert later is not None and later.cause == "monitor:1"
