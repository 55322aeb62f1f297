"""Walk every URL pattern as an anonymous user: only the public ones may answer."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# What may answer an anonymous request (S9): health, heartbeat pings, the public status page,
# the login page and static files. /metrics is checked from outside its allowed networks.
PUBLIC = re.compile(
    r"^/(health(/ready|/live)?|ping/.*|status/.*|status|admin/login/|admin/logout/|static/.*)$"
)
SAMPLES = {"int": "1", "slug": "x", "str": "x", "uuid": str(uuid.uuid4()), "path": "x/y"}


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return "/" + route.replace("\\", "")


def test_walk_finds_every_app():
    routes = {_concrete(r) for r in _walk(get_resolver().url_patterns)}
    assert "/health/ready" in routes
    assert any(r.startswith("/api/v1/") for r in routes)
    assert any(r.startswith("/admin/") for r in routes)


def test_only_public_urls_answer_anonymous_requests(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.99.0.0/16"]
    settings.METRICS_TOKEN = ""
    settings.RATELIMIT_API = "0"
    settings.RATELIMIT_PING = "0"
    client = Client(REMOTE_ADDR="198.51.100.99")
    leaks = []
    for route in sorted({_concrete(r) for r in _walk(get_resolver().url_patterns)}):
        for method in ("get", "post"):
            response = getattr(client, method)(route)
            answered = response.status_code < 300 or (
                300 <= response.status_code < 400 and "/login" not in response.get("Location", "")
            )
            if answered and not PUBLIC.match(route):
                leaks.append(f"{method.upper()} {route} -> {response.status_code}")
    assert leaks == []
