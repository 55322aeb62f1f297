"""Bearer-token authentication and permission checks for the JSON API."""

from django.http import HttpRequest
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
