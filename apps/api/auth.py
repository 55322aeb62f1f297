"""Bearer-token authentication and permission checks for the JSON API."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import HttpBearer

from apps.api.models import ApiToken
from apps.core.errors import Forbidden


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the request then acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = ApiToken.authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token


def require_perm(request: HttpRequest, *perms: str) -> None:
    """Refuse with 403 unless the request's user holds every permission in `perms`."""
    if not request.user.has_perms(perms):
        raise Forbidden(f"your token's user lacks the permission {', '.join(perms)}")


def login_or_token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the OpenAPI document: a logged-in session or a valid bearer token may read it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        authenticated = request.user.is_authenticated or (
            scheme.lower() == "bearer" and ApiToken.authenticate(token.strip()) is not None
        )
        if not authenticated:
            return JsonResponse(
                {"error": "log in or send Authorization: Bearer <token>", "fields": {}}, status=401
            )
        return view(request, *args, **kwargs)

    return wrapped
