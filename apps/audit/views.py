"""The site's 403 handler: every permission failure lands in the audit log, then the usual
403 page is shown."""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from apps.audit.log import record


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denial(request, str(exception or ""))
    return defaults.permission_denied(request, exception)


def record_denial(request: HttpRequest, reason: str) -> None:
    record(
        "auth.permission_denied",
        detail={"method": request.method, "path": request.path[:300], "reason": reason[:300]},
        request=request,
    )
