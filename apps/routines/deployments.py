"""Deploy events: recorded from CI, shown on service timelines and on incidents that follow."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from apps.core.errors import PortalError
from apps.monitoring.models import Service
from apps.routines.models import Deployment


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "deployment"
    title: str  # "Deployed 1.4.2 to production"
    text: str  # one line with commit, who and outcome
    url: str  # the CI run, or the deployment's admin page
    outcome: str
    object_id: int


def record_deployment(
    *,
    service: str,
    version: str,
    started_at: datetime,
    commit: str = "",
    environment: str = "",
    who: str = "",
    finished_at: datetime | None = None,
    outcome: str = Deployment.Outcome.SUCCEEDED,
    url: str = "",
    created_by: object = None,
) -> Deployment:
    """Store one deploy event; bad input raises PortalError naming the field and stores nothing."""
    row = Service.objects.filter(slug=service).first()
    if row is None:
        raise PortalError(
            "unknown service", fields={"service": f"no service with slug {service!r}"}
        )
    if outcome not in Deployment.Outcome.values:
        allowed = ", ".join(Deployment.Outcome.values)
        raise PortalError("invalid outcome", fields={"outcome": f"use one of {allowed}"})
    if finished_at is not None and finished_at < started_at:
        raise PortalError(
            "a deployment cannot finish before it started",
            fields={"finished_at": "must not be earlier than started_at"},
        )
    return Deployment.objects.create(
        service=row,
        version=version,
        commit=commit,
        environment=environment or row.environment,
        who=who,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        url=url,
        created_by=created_by,
    )


def in_period(since: datetime | None = None, until: datetime | None = None) -> Q:
    """Deployments whose time on the timeline (end, else start) lies in [since, until]."""
    match = Q()
    if since is not None:
        match &= Q(finished_at__gte=since) | Q(finished_at__isnull=True, started_at__gte=since)
    if until is not None:
        match &= Q(finished_at__lte=until) | Q(finished_at__isnull=True, started_at__lte=until)
    return match


def timeline_for_service(service: Service, since: datetime, until: datetime) -> list[TimelineEntry]:
    """The service page's deployment entries between `since` and `until`, oldest first."""
    rows = Deployment.objects.filter(in_period(since, until), service=service)
    entries = [_entry(d) for d in rows]
    return sorted(entries, key=lambda e: (e.at, e.object_id))


def _entry(deployment: Deployment) -> TimelineEntry:
    return TimelineEntry(
        at=deployment.at,
        kind="deployment",
        title=f"Deployed {deployment.version} to {deployment.environment}",
        text=_line(deployment),
        url=deployment.url or f"/admin/routines/deployment/{deployment.pk}/change/",
        outcome=deployment.outcome,
        object_id=deployment.pk,
    )


def _line(deployment: Deployment) -> str:
    parts = [f"{deployment.service.slug} {deployment.version}"]
    if deployment.commit:
        parts.append(f"({deployment.commit[:12]})")
    parts.append(f"to {deployment.environment}")
    if deployment.who:
        parts.append(f"by {deployment.who}")
    parts.append(f"[{deployment.outcome.replace('_', ' ')}]")
    return " ".join(parts)


def deployments_before(
    opened_at: datetime, service_ids: list[int], *, window: timedelta | None = None
) -> QuerySet[Deployment]:
    """Deployments in the window before `opened_at` of these services (all when none given)."""
    if window is None:
        window = timedelta(minutes=settings.ROUTINES_DEPLOY_LOOKBACK_MINUTES)
    rows = Deployment.objects.filter(in_period(opened_at - window, opened_at))
    if service_ids:
        rows = rows.filter(service_id__in=service_ids)
    return rows.select_related("service").order_by("started_at", "id")


def minutes_before(deployment: Deployment, opened_at: datetime) -> int:
    return int((opened_at - deployment.at).total_seconds() // 60)


def describe_before(deployment: Deployment, opened_at: datetime) -> str:
    """'Deployed api 1.4.2 (abc123) to production by ci [succeeded] 12 minutes before.'"""
    minutes = minutes_before(deployment, opened_at)
    when = (
        "less than a minute before"
        if minutes < 1
        else f"{minutes} minute{'s' * (minutes != 1)} before"
    )
    return f"Deployed {_line(deployment)} {when} this incident opened."
