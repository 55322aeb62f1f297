"""A dependency failing after its dependents: their incidents fold into the root's. A dependent
still failing once the root recovered is reported again by the reconcile sweep."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.incidents.intake import report_problem, report_recovery
from apps.incidents.models import Incident
from apps.incidents.reconcile import reconcile
from apps.monitoring.models import Monitor

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _down(service, name: str) -> Monitor:  # noqa: ANN001
    monitor = Monitor.objects.create(service=service, name=name, target="http://127.0.0.1:9/")
    Monitor.objects.filter(pk=monitor.pk).update(
        state="down", state_changed_at=NOW, last_error="HTTP 500"
    )
    monitor.refresh_from_db()
    return monitor


def test_dependents_noticed_first_are_merged_into_the_root(make_service):
    db = make_service("db")
    api = make_service("api", depends_on=(db,))
    early = report_problem(
        "monitor:2", "api is down", severity="SEV1", service_ids=[api.id], now=NOW
    )
    root = report_problem(
        "monitor:1", "db is down", service_ids=[db.id], now=NOW + timedelta(seconds=20)
    )
    assert root.pk != early.pk
    early.refresh_from_db()
    root.refresh_from_db()
    assert early.status == "resolved"
    assert early.updates.last().text.startswith(f"Merged into #{root.pk} (db is down)")
    assert set(root.services.values_list("slug", flat=True)) == {"db", "api"}
    assert root.severity == "SEV1"  # the merged incident was more severe
    assert f"Merged #{early.pk} (api is down)" in root.updates.last().text
    assert Incident.objects.open().count() == 1


def test_an_incident_that_also_concerns_others_is_not_merged(make_service):
    db = make_service("db")
    api = make_service("api", depends_on=(db,))
    mail = make_service("mail")
    both = report_problem("job:sync", "sync failed", service_ids=[api.id, mail.id], now=NOW)
    report_problem("monitor:1", "db is down", service_ids=[db.id], now=NOW)
    both.refresh_from_db()
    assert both.status == "investigating"
    assert Incident.objects.open().count() == 2


def test_a_dependent_still_down_after_the_root_recovers_is_reported_again(make_service):
    db = make_service("db")
    api = make_service("api", depends_on=(db,))
    db_monitor, api_monitor = _down(db, "db tcp"), _down(api, "api http")
    root = report_problem(f"monitor:{db_monitor.pk}", "db is down", service_ids=[db.id], now=NOW)
    report_problem(f"monitor:{api_monitor.pk}", "api is down", service_ids=[api.id], now=NOW)
    assert reconcile(NOW + timedelta(minutes=1)) == 0  # both covered by the root
    Monitor.objects.filter(pk=db_monitor.pk).update(state="up")
    resolved_at = NOW + timedelta(minutes=2)
    report_recovery(f"monitor:{db_monitor.pk}", now=resolved_at)
    # Two probe intervals (2 x 60 s) to recover along with the root: no noise meanwhile.
    assert reconcile(resolved_at + timedelta(seconds=90)) == 0
    assert reconcile(resolved_at + timedelta(seconds=150)) == 1
    own = Incident.objects.open().get()
    assert own.cause == f"monitor:{api_monitor.pk}" and own.title == "api http is down"
    assert f"still failing after #{root.pk} was resolved" in own.updates.first().text
    assert reconcile(resolved_at + timedelta(minutes=5)) == 0  # covered now


def test_a_down_monitor_whose_incident_never_opened_is_caught(make_service):
    api = make_service("api")
    monitor = _down(api, "api http")
    assert reconcile(NOW) == 1
    incident = Incident.objects.get(cause=f"monitor:{monitor.pk}")
    assert "HTTP 500 (still failing after it went down)" in incident.updates.first().text
