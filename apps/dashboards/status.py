"""The public status page: only services marked public, only what their users may see.

Nothing internal leaves this module: no monitor names or targets, no error texts, no private
service names. Automatic incidents carry machine text (monitor names, probe errors) in their
titles and updates, so for them the page shows a neutral title and only the status changes;
incidents written by people (not automatic) show their own title and updates.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q

from apps.dashboards import charts
from apps.dashboards.uptime import day_spans, service_spans
from apps.incidents.maintenance import active_windows
from apps.incidents.models import Incident, IncidentUpdate, MaintenanceWindow
from apps.monitoring.models import Service

DAYS = 90
UPCOMING = timedelta(days=30)


@dataclass(frozen=True)
class PublicService:
    name: str
    state: str
    state_label: str
    uptime_90d: float | None
    bars: list[charts.Bar]


@dataclass(frozen=True)
class PublicUpdate:
    at: datetime
    status: str
    text: str


@dataclass(frozen=True)
class PublicIncident:
    title: str
    status: str
    severity: str
    opened_at: datetime
    services: list[str]
    updates: list[PublicUpdate]


@dataclass(frozen=True)
class PublicMaintenance:
    name: str
    starts_at: datetime
    ends_at: datetime | None
    active: bool
    services: list[str]


@dataclass(frozen=True)
class StatusPage:
    services: list[PublicService]
    incidents: list[PublicIncident]
    maintenance: list[PublicMaintenance]
    overall: str


def _services(now: datetime) -> tuple[list[Service], list[PublicService]]:
    rows = list(Service.objects.filter(public=True).order_by("name", "id"))
    spans = service_spans([s.id for s in rows], day_spans(DAYS, now=now))
    out = []
    for service in rows:
        days = spans[service.id]
        up = sum(s.seconds.get("up", 0.0) for s in days)
        down = sum(s.seconds.get("down", 0.0) for s in days)
        out.append(
            PublicService(
                name=service.name,
                state=service.state,
                state_label=service.get_state_display(),
                uptime_90d=up / (up + down) if up + down else None,
                bars=charts.uptime_bars(
                    [(f"{s.start:%Y-%m-%d}", s.uptime) for s in days],
                    width=720,
                    height=34,
                    slo_percent=float(service.slo_target),
                ),
            )
        )
    return rows, out


def _incident(incident: Incident, names: dict[int, str]) -> PublicIncident:
    affected = [names[s.id] for s in incident.services.all() if s.id in names]
    if incident.automatic:
        title = f"Service disruption: {', '.join(affected)}"
        updates = [
            PublicUpdate(u.at, u.status or "", f"Status: {u.get_status_display()}.")
            for u in incident.updates.all()
            if u.status
        ]
        updates.insert(
            0, PublicUpdate(incident.opened_at, "investigating", "We are investigating.")
        )
    else:
        title = incident.title
        updates = [PublicUpdate(u.at, u.status or "", u.text) for u in incident.updates.all()]
    return PublicIncident(
        title, incident.status, incident.severity, incident.opened_at, affected, updates[::-1]
    )


def build(*, now: datetime) -> StatusPage:
    rows, services = _services(now)
    names = {s.id: s.name for s in rows}
    public_only = Service.objects.filter(public=True)
    incidents = (
        Incident.objects.open()
        .filter(services__public=True)
        .distinct()
        .prefetch_related(
            Prefetch("services", queryset=public_only),
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("at", "id")),
        )
        .order_by("-opened_at")
    )
    active = {w.id for w in active_windows(now)}
    windows = (
        MaintenanceWindow.objects.filter(services__public=True)
        .filter(Q(id__in=active) | Q(starts_at__gte=now, starts_at__lte=now + UPCOMING))
        .distinct()
        .prefetch_related(Prefetch("services", queryset=public_only))
        .order_by("starts_at")
    )
    maintenance = [
        PublicMaintenance(
            w.name,
            w.starts_at,
            w.ends_at,
            w.id in active,
            [names[s.id] for s in w.services.all() if s.id in names],
        )
        for w in windows
    ]
    public_incidents = [_incident(i, names) for i in incidents]
    states = {s.state for s in services}
    if states & {"down"}:
        overall = "Some services are down"
    elif states & {"degraded", "impacted"}:
        overall = "Some services are degraded"
    elif public_incidents:
        overall = "Incident in progress"
    elif states & {"maintenance"}:
        overall = "Maintenance in progress"
    else:
        overall = "All systems operational"
    return StatusPage(services, public_incidents, maintenance, overall)
