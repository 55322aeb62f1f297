"""Admin for backup policies, runs and restore checks; actions call the same domain functions."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from apps.backups import actions
from apps.backups.credentials import encrypt_password
from apps.backups.errors import CredentialError
from apps.backups.freshness import with_state
from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.core.errors import PortalError


class BackupPolicyForm(forms.ModelForm):
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted with BACKUP_ENCRYPTION_KEYS. Leave empty to keep the current "
        "one; prefer 'password from environment variable' where you can.",
    )
    clear_password = forms.BooleanField(required=False, label="Forget the stored password")

    class Meta:
        model = BackupPolicy
        fields = (
            "name",
            "service",
            "kind",
            "enabled",
            "host",
            "port",
            "dbname",
            "user",
            "password_env",
            "restore_host",
            "restore_port",
            "schedule",
            "restore_schedule",
            "schedule_timezone",
            "storage",
            "compression_level",
            "keep_last",
            "keep_daily_days",
            "keep_weekly_weeks",
            "max_age_hours",
            "assertions",
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password"):
            try:
                self.instance.password_encrypted = encrypt_password(data["password"])
            except CredentialError as exc:
                self.add_error("password", exc.message)
        elif data.get("clear_password") or data.get("password_env"):
            self.instance.password_encrypted = ""
        return data


@admin.register(BackupPolicy)
class BackupPolicyAdmin(admin.ModelAdmin):
    form = BackupPolicyForm
    list_display = (
        "name",
        "service",
        "kind",
        "storage",
        "enabled",
        "schedule",
        "newest_good",
        "last_backup",
        "last_restore_check",
    )
    list_filter = ("kind", "enabled")
    search_fields = ("name", "dbname", "host")
    autocomplete_fields = ()
    actions = ["back_up_now", "restore_check_now"]
    fieldsets = (
        (None, {"fields": ("name", "service", "kind", "enabled")}),
        (
            "Database",
            {"fields": ("host", "port", "dbname", "user", "password_env", "password")},
        ),
        ("Stored password", {"fields": ("clear_password",), "classes": ("collapse",)}),
        ("Schedule", {"fields": ("schedule", "restore_schedule", "schedule_timezone")}),
        (
            "Storage and retention",
            {
                "fields": (
                    "storage",
                    "compression_level",
                    "keep_last",
                    "keep_daily_days",
                    "keep_weekly_weeks",
                    "max_age_hours",
                )
            },
        ),
        ("Restore check", {"fields": ("restore_host", "restore_port", "assertions")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_state(super().get_queryset(request).select_related("service"))

    @admin.display(description="newest good backup", ordering="newest_good_at")
    def newest_good(self, obj: BackupPolicy) -> str:
        if obj.newest_good_at is None:
            return "none yet"
        age = timesince(obj.newest_good_at, timezone.now())
        if timezone.now() - obj.newest_good_at > obj.max_age:
            return format_html('<strong style="color:#ba2121">{} ago (too old)</strong>', age)
        return f"{age} ago"

    @admin.display(description="last backup")
    def last_backup(self, obj: BackupPolicy) -> str:
        if obj.last_run_status == BackupRun.Status.FAILED:
            return format_html(
                '<span style="color:#ba2121" title="{}">Failed</span>', obj.last_run_error
            )
        return BackupRun.Status(obj.last_run_status).label if obj.last_run_status else "-"

    @admin.display(description="last restore check", ordering="last_check_at")
    def last_restore_check(self, obj: BackupPolicy) -> str:
        if obj.last_check_status is None:
            return "never"
        when = f"{timesince(obj.last_check_at, timezone.now())} ago"
        if obj.last_check_status == RestoreCheck.Status.FAILED:
            return format_html(
                '<span style="color:#ba2121" title="{}">Failed {}</span>',
                obj.last_check_error,
                when,
            )
        return f"{RestoreCheck.Status(obj.last_check_status).label} {when}"

    def _each(self, request: HttpRequest, queryset: QuerySet, func, done: str) -> None:  # noqa: ANN001
        if not request.user.has_perm("backups.run_backuppolicy"):
            self.message_user(request, "You may not run backups.", messages.ERROR)
            return
        for policy in queryset:
            try:
                func(policy)
            except PortalError as exc:
                self.message_user(request, f"{policy}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{policy}: {done}", messages.SUCCESS)

    @admin.action(description="Back up now")
    def back_up_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request,
            queryset,
            lambda p: actions.queue_backup(p, trigger=BackupRun.Trigger.ADMIN, request=request),
            "backup queued",
        )

    @admin.action(description="Restore check now")
    def restore_check_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request,
            queryset,
            lambda p: actions.queue_restore_check(
                p, trigger=BackupRun.Trigger.ADMIN, request=request
            ),
            "restore check queued",
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "policy",
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "progress",
        "size_bytes",
        "storage",
        "verify_ok",
        "pruned_at",
    )
    list_filter = ("status", "trigger", "storage", "policy")
    list_select_related = ("policy",)
    actions = ["verify_now"]

    @admin.display(description="progress")
    def progress(self, obj: BackupRun) -> str:
        percent = obj.progress_percent
        if obj.status == BackupRun.Status.RUNNING and percent is None:
            return f"{obj.bytes_done or 0:,} bytes (no earlier backup to compare)"
        if percent is None:
            return "-"
        return format_html('<progress max="100" value="{}"></progress> {}%', percent, percent)

    @admin.action(description="Verify now (re-check the SHA-256)")
    def verify_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not request.user.has_perm("backups.run_backuppolicy"):
            self.message_user(request, "You may not verify backups.", messages.ERROR)
            return
        queued = 0
        for run in queryset.select_related("policy"):
            if run.is_good:
                actions.queue_verify(run, request=request)
                queued += 1
            else:
                self.message_user(request, f"run {run.pk} has no stored file", messages.WARNING)
        self.message_user(request, f"{queued} verification(s) queued", messages.SUCCESS)


@admin.register(RestoreCheck)
class RestoreCheckAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "policy",
        "backup_run",
        "status",
        "phase",
        "trigger",
        "started_at",
        "finished_at",
    )
    list_filter = ("status", "policy")
    list_select_related = ("policy",)
