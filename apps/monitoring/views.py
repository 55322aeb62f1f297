"""Heartbeat ping URLs: no token (the UUID is the secret), GET or POST, CSRF-exempt.

Under gunicorn these are answered by `apps.monitoring.fastping` before Django; this view
serves the same requests elsewhere (the test client, other servers) through the same
`handle_ping`.
"""

import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.monitoring.heartbeats import BODY_LIMIT, handle_ping


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping(request: HttpRequest, key: uuid.UUID, signal: str = "") -> HttpResponse:
    body = request.read(BODY_LIMIT) if request.method == "POST" else b""
    status, text = handle_ping(
        key, signal, method=request.method, body=body, remote_addr=request.META.get("REMOTE_ADDR")
    )
    return HttpResponse(text, status=status, content_type="text/plain")
