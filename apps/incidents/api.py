"""JSON API: incidents (+ timeline updates), maintenance windows, Alertmanager intake."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from apps.api.auth import require_perm
from apps.api.pagination import LimitOffset
from apps.core.errors import PortalError
from apps.incidents import alertmanager, lifecycle
from apps.incidents.models import Incident, IncidentUpdate, MaintenanceWindow
from apps.incidents.windows import Recurrence, is_active, validate_recurrence
from apps.monitoring.models import Service

router = Router(tags=["incidents"])

SEVERITY_PATTERN = "^SEV[1-4]$"


class IncidentOut(Schema):
    id: int
    title: str
    severity: str
    status: str
    services: list[str]
    cause: str
    automatic: bool
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    postmortem: str
    time_to_acknowledge_seconds: float | None
    time_to_resolve_seconds: float | None

    @staticmethod
    def resolve_services(obj: Incident) -> list[str]:
        return [s.slug for s in obj.services.all()]

    @staticmethod
    def resolve_acknowledged_by(obj: Incident) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None

    @staticmethod
    def resolve_time_to_acknowledge_seconds(obj: Incident) -> float | None:
        return _seconds(obj.time_to_acknowledge)

    @staticmethod
    def resolve_time_to_resolve_seconds(obj: Incident) -> float | None:
        return _seconds(obj.time_to_resolve)


def _seconds(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


class IncidentIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    severity: str = Field("SEV2", pattern=SEVERITY_PATTERN)
    services: list[str] = Field(default_factory=list, description="service slugs")
    text: str = Field("", description="first timeline entry")


class IncidentPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    severity: str | None = Field(None, pattern=SEVERITY_PATTERN)
    status: Incident.Status | None = None
    services: list[str] | None = None
    postmortem: str | None = None
    acknowledged: bool | None = Field(None, description="true acknowledges (stops escalation)")


class IncidentFilter(Schema):
    status: Incident.Status | None = None
    severity: str | None = Field(None, pattern=SEVERITY_PATTERN)
    service: str | None = Field(None, description="service slug")
    cause: str | None = None
    open: bool | None = None


class UpdateIn(Schema):
    text: str = Field("", max_length=10000)
    status: Incident.Status | None = None


class UpdateOut(Schema):
    id: int
    at: datetime
    user: str | None
    status: str
    text: str

    @staticmethod
    def resolve_user(obj: IncidentUpdate) -> str | None:
        return obj.user.get_username() if obj.user else None


def _incidents() -> QuerySet[Incident]:
    return Incident.objects.select_related("acknowledged_by").prefetch_related(
        Prefetch("services", queryset=Service.objects.only("id", "slug"))
    )


def _service_ids(slugs: list[str]) -> list[int]:
    found = dict(Service.objects.filter(slug__in=slugs).values_list("slug", "id"))
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise PortalError(
            f"unknown service {', '.join(missing)}", fields={"services": "unknown slug"}
        )
    return list(found.values())


@router.get("/incidents", response=list[IncidentOut], summary="List incidents")
@paginate(LimitOffset)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> QuerySet[Incident]:
    require_perm(request, "incidents.view_incident")
    qs = _incidents()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.service:
        qs = qs.filter(services__slug=filters.service)
    if filters.cause:
        qs = qs.filter(cause=filters.cause)
    if filters.open is not None:
        qs = qs.open() if filters.open else qs.filter(status=Incident.Status.RESOLVED)
    return qs.distinct()


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="One incident")
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    require_perm(request, "incidents.view_incident")
    return get_object_or_404(_incidents(), pk=incident_id)


@router.post("/incidents", response={201: IncidentOut}, summary="Declare an incident")
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status:
    require_perm(request, "incidents.add_incident")
    incident = lifecycle.open_manually(
        title=payload.title,
        severity=payload.severity,
        service_ids=_service_ids(payload.services),
        user=request.user,
        text=payload.text,
    )
    return Status(201, _incidents().get(pk=incident.pk))


@router.patch("/incidents/{incident_id}", response=IncidentOut, summary="Change an incident")
def update_incident(request: HttpRequest, incident_id: int, payload: IncidentPatch) -> Incident:
    require_perm(request, "incidents.change_incident")
    incident = get_object_or_404(Incident, pk=incident_id)
    with transaction.atomic():
        changed = []
        for name in ("title", "severity", "postmortem"):
            value = getattr(payload, name)
            if value is not None:
                setattr(incident, name, value)
                changed.append(name)
        if changed:
            incident.save(update_fields=changed)
        if payload.services is not None:
            incident.services.set(_service_ids(payload.services))
        if payload.acknowledged:
            lifecycle.acknowledge(incident, user=request.user)
        if payload.status is not None and payload.status != incident.status:
            lifecycle.add_update(incident, "", user=request.user, status=payload.status)
    return _incidents().get(pk=incident.pk)


@router.delete("/incidents/{incident_id}", response={204: None}, summary="Delete an incident")
def delete_incident(request: HttpRequest, incident_id: int) -> Status:
    require_perm(request, "incidents.delete_incident")
    get_object_or_404(Incident, pk=incident_id).delete()
    return Status(204, None)


@router.get("/incidents/{incident_id}/updates", response=list[UpdateOut], summary="The timeline")
@paginate(LimitOffset)
def list_updates(request: HttpRequest, incident_id: int) -> QuerySet[IncidentUpdate]:
    require_perm(request, "incidents.view_incident")
    get_object_or_404(Incident, pk=incident_id)
    return IncidentUpdate.objects.filter(incident_id=incident_id).select_related("user")


@router.post(
    "/incidents/{incident_id}/updates",
    response={201: UpdateOut},
    summary="Add to the timeline (optionally changing the status)",
)
def add_update(request: HttpRequest, incident_id: int, payload: UpdateIn) -> Status:
    require_perm(request, "incidents.change_incident")
    incident = get_object_or_404(Incident, pk=incident_id)
    update = lifecycle.add_update(
        incident, payload.text, user=request.user, status=payload.status or ""
    )
    if update is None:
        raise PortalError("the incident is already resolved", fields={"status": "resolved"})
    return Status(201, update)


class WindowOut(Schema):
    id: int
    name: str
    services: list[str]
    starts_at: datetime
    ends_at: datetime | None
    recurrence_kind: str
    recurrence: str
    tz: str
    duration_seconds: float | None
    comment: str
    active: bool

    @staticmethod
    def resolve_services(obj: MaintenanceWindow) -> list[str]:
        return [s.slug for s in obj.services.all()]

    @staticmethod
    def resolve_duration_seconds(obj: MaintenanceWindow) -> float | None:
        return _seconds(obj.duration)

    @staticmethod
    def resolve_active(obj: MaintenanceWindow) -> bool:
        return _window_active(obj, timezone.now())


def _window_active(w: MaintenanceWindow, now: datetime) -> bool:
    return is_active(
        now,
        kind=w.recurrence_kind,
        starts_at=w.starts_at,
        ends_at=w.ends_at,
        expression=w.recurrence,
        tz=w.tz,
        duration=w.duration,
    )


class WindowIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    services: list[str] = Field(..., min_length=1, description="service slugs")
    starts_at: datetime
    ends_at: datetime | None = None
    recurrence_kind: Recurrence = Recurrence.NONE
    recurrence: str = Field("", max_length=300)
    tz: str = Field("UTC", max_length=64)
    duration_seconds: int | None = Field(None, ge=1)
    comment: str = ""


def _windows() -> QuerySet[MaintenanceWindow]:
    return MaintenanceWindow.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.only("id", "slug"))
    )


def _save_window(window: MaintenanceWindow, payload: WindowIn) -> MaintenanceWindow:
    service_ids = _service_ids(payload.services)
    for name in ("name", "starts_at", "ends_at", "recurrence_kind", "recurrence", "tz", "comment"):
        setattr(window, name, getattr(payload, name))
    if payload.duration_seconds is not None:
        window.duration = timedelta(seconds=payload.duration_seconds)
    else:
        window.duration = None
    errors = validate_recurrence(
        kind=window.recurrence_kind,
        expression=window.recurrence,
        tz=window.tz,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        duration=window.duration,
    )
    if errors:
        if "duration" in errors:
            errors["duration_seconds"] = errors.pop("duration")
        raise PortalError("invalid maintenance window", fields=errors)
    with transaction.atomic():
        window.save()
        window.services.set(service_ids)
    return _windows().get(pk=window.pk)


@router.get("/maintenance-windows", response=list[WindowOut], summary="List maintenance windows")
@paginate(LimitOffset)
def list_windows(request: HttpRequest, service: str | None = None) -> QuerySet:
    require_perm(request, "incidents.view_maintenancewindow")
    qs = _windows()
    if service:
        qs = qs.filter(services__slug=service).distinct()
    return qs


@router.get("/maintenance-windows/{window_id}", response=WindowOut, summary="One window")
def get_window(request: HttpRequest, window_id: int) -> MaintenanceWindow:
    require_perm(request, "incidents.view_maintenancewindow")
    return get_object_or_404(_windows(), pk=window_id)


@router.post("/maintenance-windows", response={201: WindowOut}, summary="Plan a window")
def create_window(request: HttpRequest, payload: WindowIn) -> Status:
    require_perm(request, "incidents.add_maintenancewindow")
    return Status(201, _save_window(MaintenanceWindow(), payload))


@router.put("/maintenance-windows/{window_id}", response=WindowOut, summary="Replace a window")
def replace_window(request: HttpRequest, window_id: int, payload: WindowIn) -> MaintenanceWindow:
    require_perm(request, "incidents.change_maintenancewindow")
    return _save_window(get_object_or_404(MaintenanceWindow, pk=window_id), payload)


@router.delete("/maintenance-windows/{window_id}", response={204: None}, summary="Delete")
def delete_window(request: HttpRequest, window_id: int) -> Status:
    require_perm(request, "incidents.delete_maintenancewindow")
    get_object_or_404(MaintenanceWindow, pk=window_id).delete()
    return Status(204, None)


class AlertIn(Schema):
    model_config = ConfigDict(extra="allow")

    status: str = "firing"
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: str = ""  # noqa: N815 (Alertmanager's spelling)
    endsAt: str = ""  # noqa: N815
    generatorURL: str = ""  # noqa: N815
    fingerprint: str = ""


class AlertmanagerIn(Schema):
    """Alertmanager's webhook body (version 4); unknown keys are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    version: str = "4"
    status: str = "firing"
    receiver: str = ""
    alerts: list[AlertIn]


class AlertmanagerOut(Schema):
    opened_or_updated: list[int]
    resolved: list[int]
    suppressed: int


@router.post(
    "/intake/alertmanager",
    response=AlertmanagerOut,
    summary="Prometheus Alertmanager webhook receiver",
    description="Point an Alertmanager `webhook_configs` receiver here with "
    "`http_config.authorization.credentials` set to an API token.",
)
def alertmanager_intake(request: HttpRequest, payload: AlertmanagerIn) -> dict:
    require_perm(request, "incidents.add_incident")
    return alertmanager.receive(payload.model_dump())
