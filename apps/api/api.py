"""The versioned JSON API (`/api/v1/`): one NinjaAPI, one error format, routers per app.

Every app that has API resources adds its router to ROUTERS; conventions (token auth,
`?limit=&offset=` pagination capped at 500, `{"error": ..., "fields": {...}}` errors with a
4xx status) live here once.
"""

from django.db import DataError, IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from apps.api.auth import TokenAuth, login_or_token_required
from apps.audit.views import record_denial
from apps.core.errors import Forbidden, PortalError

# (URL prefix, dotted path of a ninja Router). Add a line per resource.
ROUTERS: list[tuple[str, str]] = [
    ("", "apps.monitoring.api.router"),
    ("", "apps.incidents.api.router"),
    ("", "apps.backups.api.router"),
    ("", "apps.jobs.api.router"),
    ("", "apps.audit.api.router"),
    ("", "apps.routines.api.router"),
    ("", "apps.dashboards.api.router"),
]

api = NinjaAPI(
    title="Operations Portal API",
    version="1",
    description=(
        "Services, monitors, incidents, backups and jobs of the Operations Portal. "
        "Authenticate with `Authorization: Bearer <token>` (create one with "
        "`manage.py create_api_token USERNAME`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,
    docs_decorator=login_or_token_required,
)


def error_response(
    request: HttpRequest, message: str, status: int, fields: dict | None = None
) -> HttpResponse:
    return api.create_response(request, {"error": message, "fields": fields or {}}, status=status)


def _field_name(loc: list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(list(error.get("loc", []))), error.get("msg", "invalid"))
    return error_response(request, "invalid input", 400, fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, "a valid API token is required (Authorization: Bearer <token>)", 401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PortalError)
def _portal_error(request: HttpRequest, exc: PortalError) -> HttpResponse:
    if isinstance(exc, Forbidden):
        record_denial(request, exc.message)
    return error_response(request, exc.message, exc.status, exc.fields)


@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the schema let through but the database cannot store (a huge number, a date
    # beyond its range): the caller's input, so a 400; the request's transaction is undone.
    transaction.set_rollback(True)
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid value"
    return error_response(request, f"a value is out of range: {detail}", 400)


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    transaction.set_rollback(True)
    return error_response(request, "this conflicts with an existing object (a duplicate?)", 409)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, str(exc) or "not found", 404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, str(exc), exc.status_code)


class MeOut(Schema):
    username: str
    is_superuser: bool
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["auth"], summary="Who this token acts as")
def me(request: HttpRequest) -> dict:
    return {
        "username": request.user.get_username(),
        "is_superuser": request.user.is_superuser,
        "permissions": sorted(request.user.get_all_permissions()),
    }


for prefix, dotted in ROUTERS:
    api.add_router(prefix, import_string(dotted))
