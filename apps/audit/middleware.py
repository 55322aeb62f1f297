"""Marks requests to the admin so model signals can record admin changes with their user."""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

admin_request: ContextVar[HttpRequest | None] = ContextVar("admin_request", default=None)


def _admin_prefix() -> str:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/admin/"


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = _admin_prefix()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        token = admin_request.set(request)
        try:
            return self.get_response(request)
        finally:
            admin_request.reset(token)
