from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from apps.routines import checklists, evidence
from apps.routines.models import (
    Checklist,
    ChecklistItem,
    Deployment,
    Occurrence,
    OccurrenceItem,
    Runbook,
    RunbookAttachment,
)
from apps.routines.runbooks import render_markdown

# Typed links without a scheme are https:// (Django 6 default; no deprecation warning).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_urls(field: models.Field, **kwargs) -> forms.Field | None:
    """formfield_callback for plain ModelForms: the same rule as HTTPS_URLS."""
    return field.formfield(**HTTPS_URLS.get(type(field), {}), **kwargs)


class ChecklistItemForm(forms.ModelForm):
    evidence = forms.ChoiceField(choices=evidence.choices, required=False)

    class Meta:
        model = ChecklistItem
        fields = ["position", "text", "link", "instructions", "evidence"]
        formfield_callback = https_urls
        widgets = {"instructions": forms.Textarea(attrs={"rows": 2, "cols": 50})}


class ChecklistItemInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = ChecklistItem
    form = ChecklistItemForm
    extra = 1


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "recurrence",
        "cron_expression",
        "time_zone",
        "responsible",
        "active",
        "items_count",
    ]
    list_filter = ["recurrence", "active"]
    search_fields = ["name", "description"]
    inlines = [ChecklistItemInline]
    actions = ["run_routines_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("responsible_user", "responsible_group")
            .annotate(n_items=Count("items"))
        )

    @admin.display(description="items")
    def items_count(self, obj: Checklist) -> int:
        return obj.n_items

    @admin.action(description="Open due occurrences and tick what the portal can prove")
    def run_routines_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        report = checklists.run_routines(now=timezone.now())
        self.message_user(request, str(report), messages.SUCCESS)


class OccurrenceItemForm(forms.ModelForm):
    done = forms.BooleanField(required=False)

    class Meta:
        model = OccurrenceItem
        fields = ["note"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done"].initial = self.instance.done
        if self.instance.ticked_by_portal:
            self.fields["done"].disabled = True


class OccurrenceItemInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = OccurrenceItem
    form = OccurrenceItemForm
    fields = ["text_and_link", "how", "done", "note", "ticked", "proof"]
    readonly_fields = ["text_and_link", "how", "ticked", "proof"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("ticked_by")

    @admin.display(description="item")
    def text_and_link(self, obj: OccurrenceItem) -> str:
        if obj.link:
            return format_html('{} <a href="{}" rel="noopener">(open)</a>', obj.text, obj.link)
        return obj.text

    @admin.display(description="instructions")
    def how(self, obj: OccurrenceItem) -> str:
        return render_markdown(obj.instructions) if obj.instructions else "-"

    @admin.display(description="ticked")
    def ticked(self, obj: OccurrenceItem) -> str:
        if not obj.done:
            return "-"
        who = obj.ticked_by.get_username() if obj.ticked_by else "the portal"
        return f"{who}, {timezone.localtime(obj.ticked_at):%Y-%m-%d %H:%M}"

    @admin.display(description="evidence")
    def proof(self, obj: OccurrenceItem) -> str:
        if not obj.evidence_summary:
            return f"waiting for: {obj.evidence_kind}" if obj.evidence_kind else "-"
        if obj.evidence_url:
            return format_html('<a href="{}">{}</a>', obj.evidence_url, obj.evidence_summary)
        return obj.evidence_summary


class OverdueFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("open", "open"), ("overdue", "overdue"), ("completed", "completed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(completed_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(completed_at__isnull=True, due_at__lte=timezone.now())
        if self.value() == "completed":
            return queryset.filter(completed_at__isnull=False)
        return queryset


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["checklist", "period", "due_at", "progress", "state", "completed_at"]
    list_filter = [OverdueFilter, "checklist"]
    date_hierarchy = "period_start"
    readonly_fields = [
        "checklist",
        "period",
        "period_start",
        "period_end",
        "due_at",
        "completed_at",
        "overdue_notified_at",
    ]
    inlines = [OccurrenceItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # occurrences come from the schedule

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("checklist")
            .annotate(
                total=Count("items"),
                ticked=Count("items", filter=Q(items__ticked_at__isnull=False)),
            )
        )

    @admin.display(description="done")
    def progress(self, obj: Occurrence) -> str:
        return format_html(
            '<progress max="{}" value="{}"></progress> {}/{}',
            obj.total or 1,
            obj.ticked,
            obj.ticked,
            obj.total,
        )

    @admin.display(description="state")
    def state(self, obj: Occurrence) -> str:
        if obj.completed_at:
            return "completed"
        return "overdue" if obj.due_at <= timezone.now() else "open"

    def save_formset(
        self, request: HttpRequest, form: forms.Form, formset: object, change: bool
    ) -> None:
        if formset.model is not OccurrenceItem:
            return super().save_formset(request, form, formset, change)
        now = timezone.now()
        # Ticks go through the domain (who and when recorded); the admin log still lists them.
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [
            (f.instance, f.changed_data) for f in formset.forms if f.instance.pk and f.changed_data
        ]
        for item_form in formset.forms:
            row = item_form.instance
            if row.pk is None or "done" not in item_form.changed_data:
                if "note" in item_form.changed_data:
                    OccurrenceItem.objects.filter(pk=row.pk).update(
                        note=item_form.cleaned_data["note"]
                    )
                continue
            if item_form.cleaned_data["done"]:
                checklists.tick(
                    row, user=request.user, now=now, note=item_form.cleaned_data.get("note", "")
                )
            else:
                checklists.untick(row)


class RunbookAttachmentInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = RunbookAttachment
    extra = 1
    fields = ["target_type", "target_id"]


@admin.register(Runbook)
class RunbookAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "cause_patterns", "updated_at"]
    search_fields = ["title", "body", "cause_patterns"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview"]
    inlines = [RunbookAttachmentInline]

    @admin.display(description="preview")
    def preview(self, obj: Runbook) -> str:
        return render_markdown(obj.body) if obj.pk else "-"


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "service",
        "version",
        "commit_short",
        "environment",
        "who",
        "started_at",
        "finished_at",
        "outcome",
    ]
    list_filter = ["outcome", "environment", "service"]
    search_fields = ["version", "commit", "who", "service__slug"]
    date_hierarchy = "started_at"
    list_select_related = ["service"]
    autocomplete_fields: list[str] = []

    @admin.display(description="commit")
    def commit_short(self, obj: Deployment) -> str:
        return obj.commit[:12]
