"""report_problem / report_recovery: one open incident per cause, timeline, dependencies."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from apps.incidents.intake import report_problem, report_recovery
from apps.incidents.models import Incident

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_problem_opens_once_and_recovery_resolves(make_service):
    api = make_service("api")
    first = report_problem(
        "backup:policy:7", "backup failed", service_ids=[api.id], detail="exit 1", now=NOW
    )
    again = report_problem(
        "backup:policy:7",
        "backup failed",
        severity="SEV1",
        detail="exit 2",
        now=NOW + timedelta(minutes=5),
    )
    assert again.pk == first.pk
    assert Incident.objects.count() == 1
    first.refresh_from_db()
    assert first.automatic and first.status == "investigating" and first.severity == "SEV1"
    resolved = report_recovery(
        "backup:policy:7", detail="backup ok", now=NOW + timedelta(minutes=30)
    )
    resolved.refresh_from_db()
    assert resolved.status == "resolved" and resolved.resolved_at == NOW + timedelta(minutes=30)
    assert resolved.time_to_resolve == timedelta(minutes=30)
    texts = list(resolved.updates.values_list("text", flat=True))
    # Other apps may add their own entries (deployments, runbooks); ours come in this order.
    ours = [t for t in texts if t.startswith(("Opened", "Severity", "Recovered"))]
    assert ours[0] == "Opened automatically (backup:policy:7). exit 1"
    assert ours[1] == "Severity raised from SEV2 to SEV1."
    assert ours[2] == "Recovered; resolved automatically. backup ok"
    assert report_recovery("backup:policy:7", now=NOW) is None
    # A new failure after resolution opens a new incident.
    assert (
        report_problem("backup:policy:7", "backup failed", now=NOW + timedelta(hours=1)).pk
        != first.pk
    )


@pytest.mark.django_db(transaction=True)
def test_database_refuses_a_second_open_incident_for_a_cause():
    Incident.objects.create(title="a", cause="job:retention")
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(title="b", cause="job:retention")
    # Manual incidents (empty cause) and resolved ones are not limited.
    Incident.objects.create(title="m1")
    Incident.objects.create(title="m2")
    Incident.objects.create(title="old", cause="job:retention", status="resolved", resolved_at=NOW)


@pytest.mark.django_db(transaction=True)
def test_dependents_join_the_root_cause_incident(make_service):
    db = make_service("db")
    api = make_service("api", depends_on=(db,))
    make_service("web", depends_on=(api,))
    root = report_problem("monitor:1", "db is down", service_ids=[db.id], now=NOW)
    assert set(root.services.values_list("slug", flat=True)) == {"db", "api", "web"}
    dependent = report_problem("monitor:2", "api is down", service_ids=[api.id], now=NOW)
    assert dependent.pk == root.pk
    assert Incident.objects.count() == 1
    assert report_recovery("monitor:2", now=NOW) is None  # never had its own incident
    report_recovery("monitor:1", now=NOW + timedelta(minutes=3))
    # The dependency is fine again: a dependent failing now is its own incident.
    own = report_problem(
        "monitor:2", "api is down", service_ids=[api.id], now=NOW + timedelta(minutes=5)
    )
    assert own.pk != root.pk
    assert set(own.services.values_list("slug", flat=True)) == {"api", "web"}


@pytest.mark.django_db(transaction=True)
def test_reopening_is_refused_while_the_cause_has_another_open_incident():
    from apps.core.errors import Conflict
    from apps.incidents.lifecycle import add_update

    old = report_problem("job:retention", "retention failed", now=NOW)
    report_recovery("job:retention", now=NOW + timedelta(minutes=1))
    report_problem("job:retention", "retention failed again", now=NOW + timedelta(minutes=2))
    old.refresh_from_db()
    with pytest.raises(Conflict, match="already open for job:retention"):
        add_update(old, "not fixed after all", status="investigating")
    old.refresh_from_db()
    assert old.status == "resolved"
