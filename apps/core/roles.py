"""Roles as Django groups: viewer (read), operator (act), admin (everything).

The groups are made by a migration; their permissions are (re)computed after every
`migrate`, so permissions of models added later join the right roles without a new migration.
"""

from django.contrib.auth.models import Group, Permission

VIEWER, OPERATOR, ADMIN = "viewer", "operator", "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)

# Apps whose objects operators act on (monitors, incidents, backups, jobs, routines).
OPERATED_APPS = {"monitoring", "incidents", "backups", "jobs", "routines", "django_celery_beat"}
PORTAL_APPS = OPERATED_APPS | {"audit", "dashboards", "health", "api", "auth", "axes"}
# Nobody edits or deletes the audit trail, whatever their role.
NEVER = {("audit", "add"), ("audit", "change"), ("audit", "delete")}


def role_allows(role: str, app_label: str, codename: str) -> bool:
    """Whether members of `role` get permission `app_label.codename` (a pure decision)."""
    action = codename.split("_", 1)[0]
    if app_label not in PORTAL_APPS or (app_label, action) in NEVER:
        return False
    if role == ADMIN:
        return True
    if action == "view":
        return app_label != "auth" or role == OPERATOR
    if role == OPERATOR:
        return app_label in OPERATED_APPS
    return False


def sync_role_permissions(**kwargs: object) -> None:
    """Give each role group exactly the permissions `role_allows` grants (post_migrate)."""
    perms = list(Permission.objects.select_related("content_type"))
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [p for p in perms if role_allows(role, p.content_type.app_label, p.codename)]
        )
