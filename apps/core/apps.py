from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from apps.core.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="portal-sync-roles")
