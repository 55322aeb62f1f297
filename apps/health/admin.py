from django.contrib import admin

from apps.health.models import ProcessHeartbeat


@admin.register(ProcessHeartbeat)
class ProcessHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "pid", "started_at", "last_seen", "stopped_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["kind", "name", "pid", "started_at", "last_seen", "stopped_at", "info"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
