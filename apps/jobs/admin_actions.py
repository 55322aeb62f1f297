"""Reusable admin action "export selected" for any admin list whose model is an export kind.

Other apps add it to their ModelAdmin: `actions = [export_selected_action("incidents")]`.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.core.errors import PortalError
from apps.jobs.exporting import request_export
from apps.jobs.registry import get_export


def export_selected_action(kind: str, fmt: str = "csv"):  # noqa: ANN201
    """An admin action exporting the selected rows of export kind `kind` in a worker."""

    @admin.action(description=f"Export selected ({fmt.upper()}, in the background)")
    def export_selected(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:  # noqa: ANN001
        entry = get_export(kind)
        bounds = queryset.aggregate(lo=Min(entry.date_field), hi=Max(entry.date_field))
        ids = list(queryset.values_list("pk", flat=True))
        try:
            export = request_export(
                kind,
                user=request.user,
                fmt=fmt,
                since=bounds["lo"],
                until=bounds["hi"] + timedelta(microseconds=1),
                ids=ids,
                trigger="admin",
            )
        except PortalError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return
        url = reverse("admin:jobs_export_change", args=[export.pk])
        modeladmin.message_user(
            request,
            format_html(
                'Export of {} rows queued: follow its progress on <a href="{}">export #{}</a>.',
                len(ids),
                url,
                export.pk,
            ),
            messages.SUCCESS,
        )

    export_selected.__name__ = f"export_selected_{kind}_{fmt}"
    return export_selected
