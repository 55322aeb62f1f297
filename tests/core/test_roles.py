import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from apps.core.roles import ADMIN, OPERATOR, ROLES, VIEWER, role_allows

pytestmark = pytest.mark.django_db

apps_ = st.sampled_from(["monitoring", "incidents", "backups", "jobs", "audit", "auth", "other"])
actions = st.sampled_from(["view", "add", "change", "delete"])


@given(app=apps_, action=actions)
def test_roles_are_nested(app, action):
    codename = f"{action}_thing"
    viewer, operator, admin = (role_allows(r, app, codename) for r in (VIEWER, OPERATOR, ADMIN))
    assert not viewer or operator
    assert not operator or admin


@given(action=st.sampled_from(["add", "change", "delete"]), role=st.sampled_from(ROLES))
def test_nobody_edits_the_audit_log(action, role):
    assert not role_allows(role, "audit", f"{action}_entry")


def test_groups_exist_with_permissions():
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
    assert set(groups) == set(ROLES)
    viewer = set(groups[VIEWER].permissions.values_list("codename", flat=True))
    assert "view_service" in viewer and "add_service" not in viewer
    operator = set(groups[OPERATOR].permissions.values_list("codename", flat=True))
    assert {"add_service", "change_service", "add_periodictask"} <= operator
    assert "add_user" not in operator
    admin = set(groups[ADMIN].permissions.values_list("codename", flat=True))
    assert "add_user" in admin


def _member(role: str) -> Client:
    user = User.objects.create_user(f"{role}-user", password="pw-unused-123456", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_viewer_reads_but_cannot_change():
    client = _member(VIEWER)
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200
    assert client.get("/admin/django_celery_beat/periodictask/add/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403


def test_operator_acts_but_does_not_manage_users():
    client = _member(OPERATOR)
    assert client.get("/admin/django_celery_beat/periodictask/add/").status_code == 200
    assert client.get("/admin/auth/user/add/").status_code == 403


def test_admin_manages_users():
    assert _member(ADMIN).get("/admin/auth/user/add/").status_code == 200
