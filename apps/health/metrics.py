"""`/metrics`: django-prometheus' counters plus the portal's own gauges, read at scrape time.

Under gunicorn with several workers `PROMETHEUS_MULTIPROC_DIR` must be set before the server
starts (deploy/gunicorn.conf.py wipes it at start and marks dead workers); each scrape then
merges every worker's files. The portal's gauges come from the database, so they are the same
whichever worker answers.
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

MetricSource = Callable[[], Iterable[Metric]]
_sources: list[MetricSource] = []


def metric_source(func: MetricSource) -> MetricSource:
    """Register a function that yields metric families computed at scrape time."""
    _sources.append(func)
    return func


class PortalCollector:
    """Collects every registered source; a failing source is logged, never fatal."""

    def collect(self) -> Iterable[Metric]:
        for source in _sources:
            try:
                yield from source()
            except Exception:
                log.warning("metric source %s failed", source.__name__, exc_info=True)


@metric_source
def process_metrics() -> Iterable[Metric]:
    from apps.health.checks import queue_depths
    from apps.health.models import ProcessHeartbeat

    now = timezone.now()
    workers = ProcessHeartbeat.alive(
        ProcessHeartbeat.Kind.WORKER, now=now, max_age=settings.HEALTH_WORKER_MAX_AGE
    ).count()
    yield GaugeMetricFamily(
        "portal_celery_workers_alive", "Celery workers with a recent heartbeat", value=workers
    )
    beat = (
        ProcessHeartbeat.objects.filter(kind=ProcessHeartbeat.Kind.BEAT)
        .order_by("-last_seen")
        .values_list("last_seen", flat=True)
        .first()
    )
    if beat is not None:
        yield GaugeMetricFamily(
            "portal_beat_last_tick_age_seconds",
            "Seconds since celery beat last ticked",
            value=(now - beat).total_seconds(),
        )
    depth = GaugeMetricFamily("portal_queue_depth", "Messages waiting per queue", labels=["queue"])
    for queue, count in queue_depths().items():
        depth.add_metric([queue], count)
    yield depth


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False)
        for net in settings.METRICS_ALLOWED_NETWORKS
    )


def render_metrics() -> bytes:
    """The exposition text: every process' counters and the portal's gauges."""
    portal_registry = CollectorRegistry(auto_describe=False)
    portal_registry.register(PortalCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shared = CollectorRegistry()
        MultiProcessCollector(shared)
        return generate_latest(shared) + generate_latest(portal_registry)
    return generate_latest(REGISTRY) + generate_latest(portal_registry)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return JsonResponse(
            {"error": "metrics need a valid token or an address in METRICS_ALLOWED_NETWORKS"},
            status=403,
        )
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
