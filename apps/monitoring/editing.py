"""Creating and changing services and monitors from plain data (the API uses these).

Everything is checked before anything is written, so bad input changes nothing.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import Conflict, PortalError
from apps.monitoring import control
from apps.monitoring.models import Monitor, Service, Tag
from apps.monitoring.validation import monitor_errors


def save_service(data: dict[str, Any], service: Service | None = None) -> Service:
    service = service or Service()
    tags = data.pop("tags", None)
    depends_on = data.pop("depends_on", None)
    deps: list[Service] = []
    if depends_on is not None:
        deps = list(Service.objects.filter(slug__in=depends_on))
        missing = sorted(set(depends_on) - {d.slug for d in deps})
        if missing:
            raise PortalError(
                "unknown services in depends_on", fields={"depends_on": ", ".join(missing)}
            )
        if service.pk and any(d.pk == service.pk for d in deps):
            raise PortalError(
                "a service cannot depend on itself", fields={"depends_on": service.slug}
            )
    if "links" in data and data["links"] is not None:
        data["links"] = [dict(link) for link in data["links"]]
    for name, value in data.items():
        setattr(service, name, value)
    try:
        with transaction.atomic():
            service.save()
            if tags is not None:
                service.tags.set([Tag.objects.get_or_create(name=t)[0] for t in tags])
            if depends_on is not None:
                service.depends_on.set(deps)
    except IntegrityError:
        raise Conflict(
            f"a service with the slug {service.slug!r} exists", fields={"slug": "taken"}
        ) from None
    return service


def save_monitor(data: dict[str, Any], monitor: Monitor | None = None) -> Monitor:
    monitor = monitor or Monitor()
    paused = data.pop("paused", None)
    slug = data.pop("service", None)
    if slug is not None:
        service = Service.objects.filter(slug=slug).first()
        if service is None:
            raise PortalError("unknown service", fields={"service": slug})
        monitor.service = service
    if "kind" in data and monitor.pk and data["kind"] != monitor.kind:
        raise PortalError("a monitor's kind cannot change", fields={"kind": "read-only"})
    for name, value in data.items():
        setattr(monitor, name, value)
    errors = monitor_errors(monitor)
    if errors:
        raise PortalError("invalid monitor", fields=errors)
    with transaction.atomic():
        monitor.save()
        now = timezone.now()
        if paused is True:
            control.pause(Monitor.objects.filter(pk=monitor.pk), now=now)
        elif paused is False:
            control.resume(Monitor.objects.filter(pk=monitor.pk), now=now)
    monitor.refresh_from_db()
    return monitor
