"""Every answer under /api/ is JSON, even those Django or ninja produce before our views
(an unknown path's 404, an unsupported method's 405), and text the database cannot store
(a NUL character) is refused with a 400 before any view runs."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"


class JsonApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method in ("POST", "PUT", "PATCH"):
            try:
                request.body  # noqa: B018 - read once, within DATA_UPLOAD_MAX_MEMORY_SIZE
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                return JsonResponse(
                    {"error": f"request body larger than {limit} bytes", "fields": {}}, status=413
                )
        if request.path.startswith(API_PREFIX) and _has_nul(request):
            return JsonResponse(
                {"error": "text may not contain NUL (\\u0000) characters", "fields": {}},
                status=400,
            )
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = JsonResponse(
                {"error": response.reason_phrase.lower(), "fields": {}},
                status=response.status_code,
            )
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response


def _has_nul(request: HttpRequest) -> bool:
    # PostgreSQL text cannot hold NUL; JSON spells it \u0000, a query string %00.
    if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    return False
