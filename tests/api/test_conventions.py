"""The API's shared conventions: token auth, JSON errors, the OpenAPI document."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from openapi_spec_validator import validate

from apps.api.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return User.objects.create_user("ops", password="x-unused-password-1")


def test_missing_token_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "API token is required" in response.json()["error"]


def test_wrong_revoked_or_expired_token_is_401(client, user):
    token, clear = ApiToken.issue(user, "test")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    ok = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert ok.status_code == 200
    assert ok.json()["username"] == "ops"
    token.refresh_from_db()
    assert token.last_used_at is not None
    token.revoked_at = token.last_used_at
    token.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 401


def test_token_carries_the_users_permissions(client, user):
    user.user_permissions.add(Permission.objects.get(codename="view_service"))
    _, clear = ApiToken.issue(user, "test")
    body = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}").json()
    assert body["permissions"] == ["monitoring.view_service"]


def test_token_is_stored_hashed(user):
    token, clear = ApiToken.issue(user, "test")
    assert clear.startswith("opt_") and len(clear) > 40
    assert clear not in token.token_hash
    assert ApiToken.objects.filter(token_hash__contains=clear).count() == 0


def test_create_api_token_command(capsys, user):
    call_command("create_api_token", "ops", "--name", "ci")
    clear = capsys.readouterr().out.strip()
    assert ApiToken.authenticate(clear).user == user
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("create_api_token", "ghost")


def test_openapi_document_needs_a_login_or_token(client, user):
    assert client.get("/api/v1/openapi.json").status_code == 401
    _, clear = ApiToken.issue(user, "test")
    ok = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert ok.status_code == 200


def test_openapi_document_validates(client, user):
    client.force_login(user)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    validate(document)
    assert document["info"]["title"] == "Operations Portal API"
    assert "/api/v1/me" in document["paths"]


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "not found", "fields": {}}


def test_unsupported_method_is_405_json(client, user):
    _, clear = ApiToken.issue(user, "test")
    response = client.delete("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert response.status_code == 405
    assert response.json()["error"] == "method not allowed"
    assert "GET" in response["Allow"]


def test_oversized_body_is_413_json_and_changes_nothing(client, user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _, clear = ApiToken.issue(user, "test")
    response = client.post(
        "/api/v1/services",
        {"name": "x" * 2000, "slug": "big"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {clear}",
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request body larger than 1000 bytes"
    from apps.monitoring.models import Service

    assert not Service.objects.filter(slug="big").exists()


def test_nul_characters_are_refused(client, user):
    _, clear = ApiToken.issue(user, "test")
    response = client.post(
        "/api/v1/services",
        '{"name": "a\\u0000b", "slug": "nul"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {clear}",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
