"""Fixtures of the jobs tests: many audit rows made by the database, users with permissions."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection


def insert_audit_rows(n: int, at: datetime, action: str = "test.row") -> None:
    """n audit entries at `at` (PostgreSQL makes them: fast even for 200k)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_auditentry
                (at, actor_name, action, target_type, target_id, target_repr, detail, ip)
            SELECT %s, 'bulk', %s, 'tests.row', i::text, 'row ' || i,
                   jsonb_build_object('i', i, 'note', 'quote " and, comma'), '127.0.0.1'
            FROM generate_series(1, %s) AS i
            """,
            [at, action, n],
        )


def user_with(username: str, *perms: str) -> User:
    user = User.objects.create_user(username, password="a-long-test-password-1")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # fresh, so the permission cache is empty


@pytest.fixture
def auditor() -> User:
    return user_with("auditor", "audit.view_auditentry")


@pytest.fixture
def operator() -> User:
    return user_with("operator", "jobs.view_jobrun", "jobs.add_jobrun")
