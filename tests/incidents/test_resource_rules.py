"""Resource alert rules: the pure breach decision, defaults, and incidents on crossing."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.incidents.models import Incident, ResourceRule
from apps.incidents.resources import db_connections_percent, decide, evaluate, sample

T0 = datetime(2026, 6, 1, tzinfo=UTC)


@given(
    values=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=60),
    threshold=st.floats(1, 99),
    hold=st.integers(0, 600),
)
def test_fires_only_after_a_continuous_breach_of_the_full_duration(values, threshold, hold):
    since, step = None, timedelta(seconds=30)
    for i, value in enumerate(values):
        now = T0 + i * step
        decision = decide(value, threshold, since, timedelta(seconds=hold), now)
        since = decision.breaching_since
        # Oracle: the run of consecutive breaching samples ending here.
        run = 0
        for v in reversed(values[: i + 1]):
            if v <= threshold:
                break
            run += 1
        expected = run > 0 and (run - 1) * step >= timedelta(seconds=hold)
        assert decision.firing == expected


def test_unknown_value_keeps_the_state():
    assert decide(None, 80, None, timedelta(0), T0).firing is False
    kept = decide(None, 80, T0, timedelta(minutes=5), T0 + timedelta(minutes=6))
    assert kept.firing and kept.breaching_since == T0


@pytest.mark.django_db
def test_defaults_from_the_seeds_exist():
    # Transactional tests elsewhere flush the table: run the data migration again
    # (it is idempotent) rather than rely on what the test database was created with.
    from django.apps import apps

    defaults = importlib.import_module("apps.incidents.migrations.0002_defaults")
    defaults.create(apps, None)
    defaults.create(apps, None)
    assert ResourceRule.objects.count() == 4
    rules = {r.key: r for r in ResourceRule.objects.all()}
    assert (rules["cpu"].threshold, rules["cpu"].for_duration) == (80, timedelta(minutes=5))
    assert (rules["memory"].threshold, rules["memory"].for_duration) == (85, timedelta(minutes=2))
    assert rules["db_connections"].threshold == 80 and rules["disk"].threshold == 90


@pytest.mark.django_db(transaction=True)
def test_crossing_opens_and_recovery_resolves():
    rule = ResourceRule.objects.create(
        key="memory", metric="memory", threshold=85, for_duration=timedelta(minutes=2)
    )
    evaluate(rule, 90.0, now=T0)
    assert not Incident.objects.exists()  # not yet for 2 minutes
    evaluate(rule, 91.0, now=T0 + timedelta(minutes=2))
    incident = Incident.objects.get(cause="resource:memory")
    assert incident.title == "memory % above 85 %" and incident.services.count() == 0
    evaluate(rule, 92.0, now=T0 + timedelta(minutes=3))
    assert Incident.objects.count() == 1
    evaluate(rule, 40.0, now=T0 + timedelta(minutes=4))
    incident.refresh_from_db()
    assert incident.status == "resolved"
    rule.refresh_from_db()
    assert rule.breaching_since is None and rule.last_value == 40.0


@pytest.mark.django_db
def test_samples_are_real_percentages(settings, tmp_path):
    settings.RESOURCE_CPU_SAMPLE_SECONDS = 0.1
    for metric in ("cpu", "memory"):
        value = sample(ResourceRule(key=metric, metric=metric, threshold=80))
        assert 0 <= value <= 100
    disk = ResourceRule(key="d", metric="disk", threshold=90, path=str(tmp_path))
    assert 0 < sample(disk) < 100
    assert sample(ResourceRule(key="x", metric="disk", threshold=90, path="/no/such")) is None
    connections = db_connections_percent()
    if connections is not None:  # PostgreSQL only
        assert 0 < connections <= 100
