"""Fuzzing: the API against its own OpenAPI document, the ping URLs with random input.

No answer may be a 5xx, and a rejected request (4xx) must leave every table as it was.
"""

import pytest
import schemathesis
from django.apps import apps
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.api.api import api
from apps.api.models import ApiToken
from portal.wsgi import application

# Tables that legitimately change on any request, accepted or not.
VOLATILE = {"audit", "axes", "sessions", "admin"}

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))


def fingerprint() -> tuple[int, ...]:
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label not in VOLATILE and not model._meta.proxy
    )
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


@pytest.fixture
def token(db, settings):
    settings.RATELIMIT_API = "0"
    settings.RATELIMIT_PING = "0"
    user = User.objects.create_superuser("fuzzer", password="unused-password-123")
    # The WSGI app runs in this thread, inside the test's transaction: keep Django from
    # closing that connection at each request's start and end (as its test client does).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ApiToken.issue(user, "fuzz")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_every_generated_request_without_5xx(case, token):
    before = fingerprint()
    response = case.call(app=application, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    if response.status_code >= 400:
        assert fingerprint() == before, f"{case.method} {case.formatted_path} changed data"
        assert "error" in response.json(), f"{response.status_code}: {response.text[:200]!r}"


paths = st.lists(
    st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=12), st.integers(-5, 300).map(str)),
    min_size=0,
    max_size=3,
)


@pytest.mark.django_db
@hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    parts=paths,
    method=st.sampled_from(["get", "post", "put", "head", "delete"]),
    body=st.binary(max_size=20_000),
    header=st.text(max_size=200),
)
def test_ping_urls_survive_random_input(parts, method, body, header):
    before = fingerprint()
    path = "/ping/" + "/".join(p.replace("/", "_") for p in parts)
    client = Client(HTTP_USER_AGENT=header.encode("ascii", "ignore").decode())
    with_body = method in ("post", "put", "delete")
    kwargs = {"data": body, "content_type": "application/octet-stream"} if with_body else {}
    try:
        with override_settings(RATELIMIT_PING="0"):
            response = getattr(client, method)(path, **kwargs)
    except UnicodeEncodeError:
        return  # the test client cannot send such a path; a real client cannot either
    assert response.status_code < 500, f"{method} {path}"
    # No random UUID names a monitor, so nothing may have been stored.
    assert fingerprint() == before
