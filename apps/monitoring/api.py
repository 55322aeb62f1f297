"""JSON API resources of the monitoring app (mounted under /api/v1/ by apps.api.api)."""

from django.db.models import ProtectedError, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from apps.api.auth import require_perm
from apps.api.pagination import LimitOffset
from apps.core.errors import Conflict, NotFound, PortalError
from apps.monitoring.editing import save_monitor, save_service
from apps.monitoring.models import Monitor, ProbeResult, Service
from apps.monitoring.probing import PROBED_KINDS, probe_now
from apps.monitoring.reports import service_uptime
from apps.monitoring.schemas import (
    MonitorFilter,
    MonitorIn,
    MonitorOut,
    MonitorPatch,
    ResultFilter,
    ResultOut,
    ServiceFilter,
    ServiceIn,
    ServiceOut,
    ServicePage,
    ServicePatch,
)

router = Router(tags=["monitoring"])


def _services() -> QuerySet[Service]:
    return Service.objects.prefetch_related("tags", "depends_on")


def _service_out(service: Service, uptime: dict) -> dict:
    return {
        **{f: getattr(service, f) for f in ServiceOut.model_fields if hasattr(service, f)},
        "tags": [t.name for t in service.tags.all()],
        "depends_on": sorted(d.slug for d in service.depends_on.all()),
        "uptime": uptime,
    }


def _one_service(slug_or_id: str) -> Service:
    lookup = Q(slug=slug_or_id) | (Q(pk=int(slug_or_id)) if slug_or_id.isdigit() else Q())
    service = _services().filter(lookup).first()
    if service is None:
        raise NotFound(f"no service {slug_or_id!r}")
    return service


def _uptime_of(services: list[Service]) -> dict[int, dict]:
    return service_uptime(services, now=timezone.now())


@router.get("/services", response=ServicePage, summary="List services")
def list_services(request: HttpRequest, filters: Query[ServiceFilter]) -> dict:
    require_perm(request, "monitoring.view_service")
    services = _services().order_by("name", "id")
    if filters.environment:
        services = services.filter(environment=filters.environment)
    if filters.state:
        services = services.filter(state=filters.state)
    if filters.tag:
        services = services.filter(tags__name=filters.tag)
    if filters.q:
        services = services.filter(
            Q(name__icontains=filters.q)
            | Q(slug__icontains=filters.q)
            | Q(owner__icontains=filters.q)
        )
    page = list(services[filters.offset : filters.offset + filters.limit])
    uptime = _uptime_of(page)
    return {
        "items": [_service_out(s, uptime[s.id]) for s in page],
        "count": services.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.post("/services", response={201: ServiceOut}, summary="Create a service")
def create_service(request: HttpRequest, payload: ServiceIn) -> Status:
    require_perm(request, "monitoring.add_service")
    service = save_service(payload.model_dump())
    return Status(201, _service_out(_one_service(service.slug), {"24h": None, "30d": None}))


@router.get("/services/{slug}", response=ServiceOut, summary="One service (by slug or id)")
def get_service(request: HttpRequest, slug: str) -> dict:
    require_perm(request, "monitoring.view_service")
    service = _one_service(slug)
    return _service_out(service, _uptime_of([service])[service.id])


@router.patch("/services/{slug}", response=ServiceOut, summary="Change a service")
def update_service(request: HttpRequest, slug: str, payload: ServicePatch) -> dict:
    require_perm(request, "monitoring.change_service")
    service = save_service(payload.model_dump(exclude_unset=True), _one_service(slug))
    service = _one_service(str(service.pk))
    return _service_out(service, _uptime_of([service])[service.id])


@router.delete("/services/{slug}", response={204: None}, summary="Delete a service")
def delete_service(request: HttpRequest, slug: str) -> Status:
    require_perm(request, "monitoring.delete_service")
    service = _one_service(slug)
    try:
        service.delete()
    except ProtectedError as exc:
        used_by = sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
        raise Conflict(
            f"the service is still used by {', '.join(used_by)}; remove those first"
        ) from None
    return Status(204, None)


def _monitor_out(request: HttpRequest, monitor: Monitor) -> Monitor:
    monitor.ping_url = (
        request.build_absolute_uri(monitor.ping_path) if monitor.kind == "heartbeat" else None
    )
    return monitor


def _one_monitor(monitor_id: int) -> Monitor:
    monitor = Monitor.objects.select_related("service").filter(pk=monitor_id).first()
    if monitor is None:
        raise NotFound(f"no monitor {monitor_id}")
    return monitor


@router.get("/monitors", response=list[MonitorOut], summary="List monitors")
@paginate(LimitOffset)
def list_monitors(request: HttpRequest, filters: Query[MonitorFilter]) -> list[Monitor]:
    require_perm(request, "monitoring.view_monitor")
    monitors = Monitor.objects.select_related("service").order_by("id")
    if filters.service:
        monitors = monitors.filter(service__slug=filters.service)
    if filters.kind:
        monitors = monitors.filter(kind=filters.kind)
    if filters.state:
        monitors = monitors.filter(state=filters.state)
    return _LazyOut(request, monitors)


class _LazyOut:
    """A queryset wrapper that adds ping_url to the page the paginator slices out."""

    def __init__(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        self.request, self.queryset = request, queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[Monitor]:
        return [_monitor_out(self.request, m) for m in self.queryset[page]]


@router.post("/monitors", response={201: MonitorOut}, summary="Create a monitor")
def create_monitor(request: HttpRequest, payload: MonitorIn) -> Status:
    require_perm(request, "monitoring.add_monitor")
    return Status(201, _monitor_out(request, _one_monitor(save_monitor(payload.model_dump()).pk)))


@router.get("/monitors/{monitor_id}", response=MonitorOut, summary="One monitor")
def get_monitor(request: HttpRequest, monitor_id: int) -> Monitor:
    require_perm(request, "monitoring.view_monitor")
    return _monitor_out(request, _one_monitor(monitor_id))


@router.patch("/monitors/{monitor_id}", response=MonitorOut, summary="Change, pause or resume")
def update_monitor(request: HttpRequest, monitor_id: int, payload: MonitorPatch) -> Monitor:
    require_perm(request, "monitoring.change_monitor")
    monitor = save_monitor(payload.model_dump(exclude_unset=True), _one_monitor(monitor_id))
    return _monitor_out(request, _one_monitor(monitor.pk))


@router.delete("/monitors/{monitor_id}", response={204: None}, summary="Delete a monitor")
def delete_monitor(request: HttpRequest, monitor_id: int) -> Status:
    require_perm(request, "monitoring.delete_monitor")
    _one_monitor(monitor_id).delete()
    return Status(204, None)


@router.post("/monitors/{monitor_id}/probe", response=ResultOut, summary="Probe now")
def probe_monitor(request: HttpRequest, monitor_id: int) -> dict:
    require_perm(request, "monitoring.change_monitor")
    monitor = _one_monitor(monitor_id)
    if monitor.kind not in PROBED_KINDS:
        raise PortalError("heartbeat monitors are pinged, not probed", fields={"kind": "heartbeat"})
    (outcome,) = probe_now([monitor])
    return {f: getattr(outcome, f) for f in ResultOut.model_fields}


@router.get("/monitors/{monitor_id}/results", response=list[ResultOut], summary="Results")
@paginate(LimitOffset)
def monitor_results(
    request: HttpRequest, monitor_id: int, filters: Query[ResultFilter]
) -> QuerySet[ProbeResult]:
    require_perm(request, "monitoring.view_monitor")
    monitor = _one_monitor(monitor_id)
    results = ProbeResult.objects.filter(monitor=monitor).order_by("-checked_at")
    if filters.since:
        results = results.filter(checked_at__gte=filters.since)
    return results
