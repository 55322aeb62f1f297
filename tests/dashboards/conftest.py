"""Fixtures: users in the portal's roles and services with real history rows."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User

from apps.monitoring.models import HourlyRollup, Monitor, Service, StateChange
from apps.monitoring.stats import bucket_index, pack_histogram

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_user(username: str, role: str | None = "viewer", *, staff: bool = True) -> User:
    user = User.objects.create_user(username, password="a long test password 8", is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer_client(client):  # noqa: ANN001, ANN201
    client.force_login(make_user("viewer1"))
    return client


def make_service(
    name: str,
    *,
    public: bool = False,
    state: str = "up",
    target: str = "",
    created: datetime | None = None,
) -> tuple[Service, Monitor]:
    """A service with one HTTP monitor, both created `created` (default 40 days before NOW)."""
    created = created or NOW - timedelta(days=40)
    slug = name.lower().replace(" ", "-")
    service = Service.objects.create(
        name=name, slug=slug, public=public, state=state, created_at=created
    )
    monitor = Monitor.objects.create(
        service=service,
        name=f"{name} http",
        target=target or f"http://10.1.2.3:8080/{slug}/health",
        state=state,
        created_at=created,
    )
    return service, monitor


def outage(monitor: Monitor, start: datetime, end: datetime) -> None:
    """A DOWN period recorded as the state changes the probe engine writes."""
    StateChange.objects.bulk_create(
        [
            StateChange(monitor=monitor, at=start, previous="up", current="down"),
            StateChange(monitor=monitor, at=end, previous="down", current="up"),
        ]
    )


def latency_hours(monitor: Monitor, hours: list[datetime], latency_ms: int) -> None:
    """Hourly rollups as apps.monitoring.rollups writes them: 60 checks at one latency."""
    HourlyRollup.objects.bulk_create(
        HourlyRollup(
            monitor=monitor,
            period_start=hour,
            checks=60,
            failures=0,
            latency_sum_ms=60 * latency_ms,
            latency_histogram=pack_histogram({bucket_index(latency_ms): 60}),
        )
        for hour in hours
    )


@pytest.fixture(autouse=True)
def _no_shared_overview(settings):  # noqa: ANN001, ANN202
    # The shared overview table would carry one test's services into the next test.
    settings.DASHBOARDS_CACHE_SECONDS = 0
