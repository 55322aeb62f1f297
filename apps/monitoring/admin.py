"""The admin is the main editing surface: services with their monitors inline."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.monitoring import control
from apps.monitoring.models import Monitor, Service, StateChange, Tag
from apps.monitoring.probing import PROBED_KINDS, probe_now


class MonitorInline(admin.StackedInline):
    model = Monitor
    extra = 0
    show_change_link = True
    fields = [
        ("name", "kind", "state"),
        "target",
        ("interval_seconds", "timeout_seconds", "failures_before_down", "successes_before_up"),
        ("method", "expected_status", "keyword"),
        ("json_path", "json_value"),
        "headers",
        ("period_seconds", "cron", "tz", "grace_seconds"),
        ("last_checked_at", "last_latency_ms", "last_error"),
    ]
    readonly_fields = ["state", "last_checked_at", "last_latency_ms", "last_error"]


def _probe(modeladmin: admin.ModelAdmin, request: HttpRequest, monitors: QuerySet) -> None:
    probed = list(monitors.filter(kind__in=PROBED_KINDS))
    outcomes = probe_now(probed)
    failed = [o for o in outcomes if not o.ok]
    modeladmin.message_user(
        request,
        f"Probed {len(outcomes)} monitor(s): {len(outcomes) - len(failed)} passed, "
        f"{len(failed)} failed.",
        messages.WARNING if failed else messages.SUCCESS,
    )


def _pause(modeladmin: admin.ModelAdmin, request: HttpRequest, monitors: QuerySet) -> None:
    count = control.pause(monitors, now=timezone.now())
    modeladmin.message_user(request, f"Paused {count} monitor(s).")


def _resume(modeladmin: admin.ModelAdmin, request: HttpRequest, monitors: QuerySet) -> None:
    count = control.resume(monitors, now=timezone.now())
    modeladmin.message_user(request, f"Resumed {count} monitor(s).")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "environment", "state", "owner", "state_changed_at"]
    list_filter = ["state", "environment", "tags"]
    search_fields = ["name", "slug", "owner", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["tags", "depends_on"]
    readonly_fields = ["state", "state_changed_at"]
    inlines = [MonitorInline]
    actions = ["probe_now", "pause", "resume"]

    def _monitors(self, services: QuerySet[Service]) -> QuerySet[Monitor]:
        return Monitor.objects.filter(service__in=services)

    @admin.action(description="Probe now (every monitor of the selected services)")
    def probe_now(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        _probe(self, request, self._monitors(queryset))

    @admin.action(description="Pause monitoring of the selected services")
    def pause(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        _pause(self, request, self._monitors(queryset))

    @admin.action(description="Resume monitoring of the selected services")
    def resume(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        _resume(self, request, self._monitors(queryset))


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "service", "kind", "state", "interval_seconds", "last_checked_at",
        "last_latency_ms", "last_error",
    ]  # fmt: skip
    list_filter = ["state", "kind", "service__environment", "service__tags"]
    search_fields = ["name", "target", "service__name", "service__slug"]
    list_select_related = ["service"]
    readonly_fields = [
        "state", "state_changed_at", "next_due_at", "last_checked_at", "last_latency_ms",
        "last_error", "tls_expires_at", "ping_url", "last_ping_at", "last_run_seconds",
    ]  # fmt: skip
    actions = ["probe_now", "pause", "resume"]

    @admin.display(description="ping URL")
    def ping_url(self, monitor: Monitor) -> str:
        return monitor.ping_path if monitor.kind == Monitor.Kind.HEARTBEAT else "-"

    @admin.action(description="Probe now")
    def probe_now(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        _probe(self, request, queryset)

    @admin.action(description="Pause")
    def pause(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        _pause(self, request, queryset)

    @admin.action(description="Resume")
    def resume(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        _resume(self, request, queryset)


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "monitor", "previous", "current", "reason"]
    list_filter = ["current"]
    list_select_related = ["monitor__service"]
    search_fields = ["monitor__name", "monitor__service__name", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.register(Tag, search_fields=["name"])
