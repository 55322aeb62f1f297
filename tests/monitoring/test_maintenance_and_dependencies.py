"""Maintenance windows hide failures; a down dependency makes dependents impacted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.incidents.models import MaintenanceWindow
from apps.monitoring.models import Monitor, Service
from apps.monitoring.probing import run_due
from apps.monitoring.services import own_state, service_states
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db


def test_failures_during_maintenance_show_maintenance(service, target):
    url = target.set("/down", status=500)
    m = make_monitor(service, target=url, failures_before_down=1)
    window = MaintenanceWindow.objects.create(
        name="upgrade",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(minutes=30),
    )
    window.services.add(service)
    run_due()
    m.refresh_from_db()
    service.refresh_from_db()
    assert m.state == "maintenance" and m.failure_streak == 0
    assert service.state == "maintenance"


def test_dependency_down_marks_dependents_impacted(target):
    db = Service.objects.create(name="DB", slug="db")
    api = Service.objects.create(name="API", slug="api")
    web = Service.objects.create(name="Web", slug="web")
    api.depends_on.add(db)
    web.depends_on.add(api)
    make_monitor(db, target=target.set("/db", status=500), failures_before_down=1)
    make_monitor(api, target=target.set("/api", status=502), failures_before_down=1)
    make_monitor(web, target=target.set("/web", status=200))
    run_due()
    states = dict(Service.objects.values_list("slug", "state"))
    assert states == {"db": "down", "api": "impacted", "web": "impacted"}
    assert Monitor.objects.get(service=api).state == "down"  # the monitor itself tells the truth


def test_service_state_rules():
    assert own_state(["up", "up"], False) == "up"
    assert own_state(["up", "down"], False) == "degraded"
    assert own_state(["down", "paused"], False) == "down"
    assert own_state(["paused"], False) == "paused"
    assert own_state([], False) == "pending"
    assert own_state(["down"], True) == "maintenance"
    # A cycle terminates; only services with an unhealthy dependency are impacted.
    assert service_states({1: "down", 2: "up", 3: "up"}, {2: [3], 3: [2, 1]}) == {
        1: "down", 2: "impacted", 3: "impacted",
    }  # fmt: skip
