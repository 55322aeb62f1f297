"""Dashboard pages inside the admin's look, their self-refreshing partials, and the public
status page. Each view asks one domain module for its data and renders it."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from apps.core.errors import PortalError
from apps.dashboards import availability, detail, operations, overview, readiness, status
from apps.monitoring.models import Service

REFRESH_SECONDS = 15
OVERVIEW_CACHE_KEY = "dashboards:overview:table"


def dashboard(perm: str) -> Callable:
    """Staff only (others go to the admin login), with `perm`, never cached."""

    def wrap(view: Callable) -> Callable:
        return staff_member_required(
            permission_required(perm, raise_exception=True)(never_cache(view))
        )

    return wrap


def _render(request: HttpRequest, template: str, title: str, **context: object) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "refresh_seconds": REFRESH_SECONDS,
        "now": timezone.now(),
        **context,
    }
    return render(request, template, context)


def _partial(request: HttpRequest) -> bool:
    return request.GET.get("partial") == "1"


@dashboard("dashboards.view_dashboards")
def overview_page(request: HttpRequest) -> HttpResponse:
    table = _overview_table(request)
    if _partial(request):
        return HttpResponse(table)
    return _render(request, "dashboards/overview.html", "Overview", table=table)


def _overview_table(request: HttpRequest) -> str:
    """The overview's live region, shared by every viewer for DASHBOARDS_CACHE_SECONDS.

    It holds nothing user-specific, and with many people (or wall screens) polling every
    15 s the portal computes it once per interval instead of once per viewer.
    """
    seconds = settings.DASHBOARDS_CACHE_SECONDS
    html = cache.get(OVERVIEW_CACHE_KEY) if seconds > 0 else None
    if html is None:
        now = timezone.now()
        # One reverse() instead of one per row: the table may hold a thousand services.
        base = reverse("dashboards:service", args=["-"]).removesuffix("-/")
        context = {
            "overview": overview.build(now=now),
            "now": now,
            "refresh_seconds": REFRESH_SECONDS,
            "service_base": base,
        }
        html = render_to_string("dashboards/_overview.html", context, request=request)
        if seconds > 0:
            cache.set(OVERVIEW_CACHE_KEY, html, seconds)
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template


@dashboard("dashboards.view_dashboards")
def service_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(Service, slug=slug)
    period = request.GET.get("period", detail.DEFAULT_PERIOD)
    if period not in detail.PERIODS:
        return HttpResponseBadRequest(
            f"unknown period {period!r}: use one of {', '.join(detail.PERIODS)}",
            content_type="text/plain",
        )
    page = detail.build(service, period, now=timezone.now())
    template = "dashboards/_service.html" if _partial(request) else "dashboards/service.html"
    return _render(request, template, service.name, page=page, periods=list(detail.PERIODS))


@dashboard("dashboards.view_operations")
def operations_page(request: HttpRequest) -> HttpResponse:
    data = operations.build(now=timezone.now())
    name = "dashboards/_operations.html" if _partial(request) else "dashboards/operations.html"
    return _render(request, name, "Operations", ops=data)


@dashboard("dashboards.view_operations")
def readiness_page(request: HttpRequest) -> HttpResponse:
    items = readiness.checklist(now=timezone.now())
    name = "dashboards/_readiness.html" if _partial(request) else "dashboards/readiness.html"
    failing = sum(1 for item in items if not item.ok)
    return _render(request, name, "Production readiness", items=items, failing=failing)


def _month(request: HttpRequest) -> tuple[int, int]:
    text = request.GET.get("month", "")
    return availability.parse_month(text) if text else availability.previous_month(timezone.now())


@dashboard("dashboards.view_dashboards")
def availability_page(request: HttpRequest) -> HttpResponse:
    try:
        report = availability.build(*_month(request), now=timezone.now())
    except PortalError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain")
    return _render(request, "dashboards/availability.html", "Availability report", report=report)


@dashboard("dashboards.view_dashboards")
def availability_csv(request: HttpRequest) -> HttpResponse:
    try:
        report = availability.build(*_month(request), now=timezone.now())
    except PortalError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain")
    response = HttpResponse(availability.to_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="availability-{report.label}.csv"'
    return response


@never_cache
def status_page(request: HttpRequest) -> HttpResponse:
    page = status.build(now=timezone.now())
    template = "dashboards/_status.html" if _partial(request) else "dashboards/status.html"
    return render(
        request,
        template,
        {"page": page, "refresh_seconds": 60, "now": timezone.now(), "days": status.DAYS},
    )
