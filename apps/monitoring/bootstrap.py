"""First start: the portal watches itself, so a newcomer sees something real at once."""

from typing import TextIO

from django.conf import settings

from apps.core.bootstrap import first_start_hook

SELF_SLUG = "operations-portal"


@first_start_hook
def register_self(stdout: TextIO) -> None:
    """Create the portal's own service and an HTTP monitor on its /health, once."""
    from apps.monitoring.models import Monitor, Service

    if not settings.MONITORING_SELF_MONITOR:
        return
    service, created = Service.objects.get_or_create(
        slug=SELF_SLUG,
        defaults={
            "name": "Operations Portal",
            "owner": "operations",
            "description": "This portal itself, watched through its /health endpoint.",
        },
    )
    url = settings.PORTAL_URL.rstrip("/") + "/health"
    if not service.monitors.filter(kind=Monitor.Kind.HTTP).exists():
        Monitor.objects.create(
            service=service, name="portal /health", kind=Monitor.Kind.HTTP, target=url,
            interval_seconds=60, timeout_seconds=10,
        )  # fmt: skip
        stdout.write(f"Monitoring the portal itself: {url}\n")
