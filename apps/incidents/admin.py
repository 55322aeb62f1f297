"""Admin of incidents, maintenance windows, channels, routes, deliveries and resource rules.

Actions are thin: each calls the same domain function the API and the tasks use.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.incidents import lifecycle, notify
from apps.incidents.models import (
    Channel,
    Incident,
    IncidentUpdate,
    MaintenanceWindow,
    NotificationDelivery,
    ResourceRule,
    Route,
)


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 1
    fields = ["at", "user", "status", "text"]
    readonly_fields = ["user"]
    ordering = ["at", "id"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "severity",
        "status",
        "opened_at",
        "acknowledged_at",
        "resolved_at",
        "automatic",
        "cause",
    ]
    list_filter = ["status", "severity", "automatic", "services"]
    search_fields = ["title", "cause", "postmortem"]
    date_hierarchy = "opened_at"
    filter_horizontal = ["services"]
    readonly_fields = [
        "cause",
        "automatic",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "time_to_acknowledge",
        "time_to_resolve",
        "last_notified_at",
        "notifications_sent",
    ]
    inlines = [IncidentUpdateInline]
    actions = ["acknowledge", "resolve"]
    list_select_related = ["acknowledged_by"]

    def save_model(self, request, obj, form, change):  # noqa: ANN001, ANN201
        # A status picked in the form goes through the workflow, so it gets its timeline
        # entry and resolved_at like any other transition.
        wanted = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            lifecycle.add_update(obj, "", user=request.user, status=wanted)
            return
        if wanted == Incident.Status.RESOLVED and obj.resolved_at is None:
            obj.resolved_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):  # noqa: ANN001, ANN201
        # Timeline entries typed in the admin are signed by whoever typed them.
        for entry in formset.save(commit=False):
            if entry.user_id is None:
                entry.user = request.user
            entry.save()
        for entry in formset.deleted_objects:
            entry.delete()

    @admin.action(description="Acknowledge (stops escalation)", permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        done = sum(lifecycle.acknowledge(i, user=request.user) for i in queryset)
        self.message_user(request, f"{done} incident(s) acknowledged.", messages.SUCCESS)

    @admin.action(description="Resolve", permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        done = sum(lifecycle.resolve(i, user=request.user) is not None for i in queryset)
        self.message_user(request, f"{done} incident(s) resolved.", messages.SUCCESS)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "ends_at", "recurrence_kind", "recurrence", "tz"]
    list_filter = ["recurrence_kind", "services"]
    search_fields = ["name", "comment"]
    filter_horizontal = ["services"]


class RouteInline(admin.TabularInline):
    model = Route
    extra = 1
    filter_horizontal = ["services"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "last_tested_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    inlines = [RouteInline]
    actions = ["send_test_notification"]

    @admin.action(description="Send a test notification", permissions=["change"])
    def send_test_notification(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        for channel in queryset:
            notify.send_test(channel)
        self.message_user(
            request,
            f"Test notification queued for {queryset.count()} channel(s); "
            "see Notification deliveries for the outcome.",
            messages.SUCCESS,
        )


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "event", "incident", "attempt", "ok", "status_code"]
    list_filter = ["ok", "event", "channel"]
    search_fields = ["error"]
    date_hierarchy = "created_at"
    list_select_related = ["channel", "incident"]
    readonly_fields = [f.name for f in NotificationDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ResourceRule)
class ResourceRuleAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "metric",
        "threshold",
        "for_duration",
        "severity",
        "enabled",
        "last_value",
        "breaching_since",
        "last_evaluated_at",
    ]
    list_editable = ["threshold", "enabled"]
    readonly_fields = ["breaching_since", "last_value", "last_evaluated_at"]
