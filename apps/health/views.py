"""Health endpoints: liveness (no I/O), readiness and the full report."""

import json
import threading
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.health import checks
from apps.health.liveness import LIVE_BODY


@require_safe
def live(request: HttpRequest) -> HttpResponse:
    # Under gunicorn portal.wsgi answers this before Django; this view serves other servers.
    return HttpResponse(
        LIVE_BODY, content_type="application/json", headers={"Cache-Control": "no-store"}
    )


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    components = checks.readiness()
    failing = [c for c in components if not c.ok]
    body = {
        "status": "fail" if failing else "ok",
        "components": {c.name: c.as_dict() for c in components},
        "failing": [c.name for c in failing],
    }
    return JsonResponse(body, status=503 if failing else 200)


_report_lock = threading.Lock()
_report_cache: dict[str, object] = {"until": 0.0, "body": b"", "status": 200}


def cached_report() -> tuple[bytes, int]:
    """The full report, computed at most once per HEALTH_CACHE_SECONDS in this process."""
    with _report_lock:
        if time.monotonic() >= _report_cache["until"]:
            report = checks.full_report()
            _report_cache["body"] = json.dumps(report).encode()
            _report_cache["status"] = 503 if report["status"] == "fail" else 200
            _report_cache["until"] = time.monotonic() + settings.HEALTH_CACHE_SECONDS
        return _report_cache["body"], _report_cache["status"]


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    body, status = cached_report()
    return HttpResponse(body, status=status, content_type="application/json")
