import json

from django.contrib import admin
from django.utils.html import format_html

from apps.audit.models import AuditEntry
from apps.jobs.admin_actions import export_selected_action


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Searchable, filterable and read-only for everyone, superusers included."""

    list_display = ["at", "actor_name", "action", "target_type", "target_repr", "ip"]
    list_filter = ["action", "target_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "action", "target_repr", "target_id", "detail"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "ip",
        "detail_pretty",
    ]
    exclude = ["actor", "detail"]
    actions = [
        export_selected_action("audit_log", "csv"),
        export_selected_action("audit_log", "jsonl"),
    ]
    show_full_result_count = False

    @admin.display(description="detail")
    def detail_pretty(self, obj: AuditEntry) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.detail, indent=2, sort_keys=True))

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
