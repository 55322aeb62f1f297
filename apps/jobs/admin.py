from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from apps.core.errors import PortalError
from apps.jobs import links, triggers
from apps.jobs.exporting import validate_request
from apps.jobs.models import Export, JobRun, RetentionPolicy
from apps.jobs.registry import export_kinds, get_export, retention_kinds


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "status",
        "trigger",
        "triggered_by",
        "dry_run",
        "progress_bar",
        "started_at",
        "finished_at",
        "counts",
    ]
    list_filter = ["kind", "status", "trigger", "dry_run"]
    search_fields = ["kind", "error", "log_tail"]
    date_hierarchy = "started_at"
    list_select_related = ["triggered_by"]
    change_list_template = "admin/jobs/jobrun/change_list.html"

    @admin.display(description="progress")
    def progress_bar(self, obj: JobRun) -> str:
        return format_html(
            '<progress max="100" value="{}"></progress> {}%', obj.progress, round(obj.progress)
        )

    def get_urls(self):  # noqa: ANN201
        start = self.admin_site.admin_view(self.start_view)
        return [path("start/", start, name="jobs_jobrun_start"), *super().get_urls()]

    def start_view(self, request: HttpRequest) -> HttpResponseRedirect:
        back = HttpResponseRedirect(reverse("admin:jobs_jobrun_changelist"))
        if request.method != "POST":
            return back
        if not request.user.has_perm("jobs.add_jobrun"):
            self.message_user(request, "you may not start jobs", messages.ERROR)
            return back
        kind = request.POST.get("kind", "")
        try:
            run = triggers.trigger(
                kind,
                user=request.user,
                trigger=JobRun.Trigger.ADMIN,
                dry_run=request.POST.get("dry_run") == "1",
                request=request,
            )
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return back
        self.message_user(request, f"{run} queued", messages.SUCCESS)
        return back


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "days", "enabled", "model", "updated_at"]
    list_editable = ["days", "enabled"]
    readonly_fields = ["kind", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False  # one row per registered kind, created on demand

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        for kind in retention_kinds():
            RetentionPolicy.for_kind(kind)
        return super().changelist_view(request, extra_context)

    @admin.display(description="data")
    def model(self, obj: RetentionPolicy) -> str:
        entry = retention_kinds().get(obj.kind)
        return f"{entry.model}.{entry.date_field}" if entry else "(no longer registered)"


class ExportForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=())

    class Meta:
        model = Export
        fields = ["kind", "format", "since", "until", "service_slug"]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, e.label) for k, e in export_kinds().items()]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            validate_request(
                get_export(data["kind"]),
                user=self.user,
                fmt=data["format"],
                since=data["since"],
                until=data["until"],
                service_slug=data.get("service_slug", ""),
            )
        except PortalError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    form = ExportForm
    list_display = [
        "id",
        "kind",
        "format",
        "since",
        "until",
        "service_slug",
        "status",
        "progress_bar",
        "rows_exported",
        "requested_by",
        "created_at",
    ]
    list_filter = ["kind", "format", "status"]
    list_select_related = ["requested_by"]
    readonly_fields = [
        "status",
        "progress",
        "rows_total",
        "rows_exported",
        "file_name",
        "size_bytes",
        "error",
        "job_run",
        "requested_by",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    change_form_template = "admin/jobs/export/change_form.html"

    progress_bar = JobRunAdmin.progress_bar

    def get_form(self, request, obj=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def save_model(self, request, obj: Export, form, change) -> None:  # noqa: ANN001
        from apps.jobs import tasks

        obj.requested_by = request.user
        super().save_model(request, obj, form, change)
        tasks.export_run.delay_on_commit(obj.pk, JobRun.Trigger.ADMIN)

    def change_view(self, request, object_id, form_url="", extra_context=None):  # noqa: ANN001, ANN201
        export = get_object_or_404(Export, pk=object_id)
        extra = dict(extra_context or {})
        if export.status == Export.Status.DONE and request.user.has_perm(
            get_export(export.kind).permission
        ):
            extra["download_url"] = links.download_path(export, request.user)
        return super().change_view(request, object_id, form_url, extra)
