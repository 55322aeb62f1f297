from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib import admin

        from apps.core.roles import sync_role_permissions

        admin.site.site_header = "Operations Portal"
        admin.site.site_title = "Operations Portal"
        admin.site.index_title = "Run, record and see everything that keeps production alive"

        post_migrate.connect(sync_role_permissions, dispatch_uid="portal-sync-roles")
