"""JSON API resources of the jobs app (mounted under /api/v1/ by apps.api.api)."""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from apps.api.auth import require_perm
from apps.api.pagination import LimitOffset
from apps.jobs import links, triggers
from apps.jobs.exporting import request_export
from apps.jobs.models import Export, JobRun
from apps.jobs.registry import export_kinds

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    trigger: str
    triggered_by: str | None
    status: str
    dry_run: bool
    counts: dict
    progress: float
    started_at: datetime
    finished_at: datetime | None
    log_tail: str
    error: str

    @staticmethod
    def resolve_triggered_by(obj: JobRun) -> str | None:
        return obj.triggered_by.get_username() if obj.triggered_by else None


class JobIn(Schema):
    kind: Literal["maintenance", "retention"]
    dry_run: bool = False
    retention_kind: str | None = Field(None, description="Only this retention kind.")


@router.get("/jobs", response=list[JobOut], summary="Job runs, newest first")
@paginate(LimitOffset)
def list_jobs(request: HttpRequest, kind: str | None = None, status: str | None = None) -> QuerySet:
    require_perm(request, "jobs.view_jobrun")
    qs = JobRun.objects.select_related("triggered_by")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/jobs/{job_id}", response=JobOut, summary="One job run")
def get_job(request: HttpRequest, job_id: int) -> JobRun:
    require_perm(request, "jobs.view_jobrun")
    return get_object_or_404(JobRun.objects.select_related("triggered_by"), pk=job_id)


@router.post(
    "/jobs",
    response={202: JobOut},
    summary="Start a maintenance or retention run (409 while one is in progress)",
)
def start_job(request: HttpRequest, payload: JobIn) -> Status:
    require_perm(request, "jobs.add_jobrun")
    run = triggers.trigger(
        payload.kind,
        user=request.user,
        trigger=JobRun.Trigger.API,
        dry_run=payload.dry_run,
        retention_kind=payload.retention_kind,
        request=request,
    )
    return Status(202, run)


class ExportOut(Schema):
    id: int
    kind: str
    format: str
    since: datetime
    until: datetime
    service: str | None
    status: str
    progress: float
    rows_total: int | None
    rows_exported: int
    size_bytes: int | None
    error: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    download_url: str | None = Field(
        None, description="Signed link for this token's user, valid for EXPORT_LINK_MAX_AGE s."
    )


class ExportIn(Schema):
    kind: str
    format: Literal["csv", "jsonl"] = "csv"
    since: datetime
    until: datetime
    service: str | None = Field(None, description="Service slug, for kinds that have one.")


def _out(request: HttpRequest, export: Export) -> dict:
    data = {
        field: getattr(export, field)
        for field in ExportOut.model_fields
        if field not in ("service", "download_url")
    }
    data["service"] = export.service_slug or None
    if export.status == Export.Status.DONE:
        data["download_url"] = request.build_absolute_uri(links.download_path(export, request.user))
    return data


def _visible(request: HttpRequest) -> QuerySet:
    """Exports of the kinds whose data this user may see."""
    allowed = [k for k, e in export_kinds().items() if request.user.has_perm(e.permission)]
    return Export.objects.filter(kind__in=allowed)


@router.get("/exports", response=list[ExportOut], summary="Exports of data you may see")
@paginate(LimitOffset)
def list_exports(request: HttpRequest, kind: str | None = None) -> list[dict]:
    qs = _visible(request)
    if kind:
        qs = qs.filter(kind=kind)
    return _LazyOut(request, qs)


@router.get("/exports/{export_id}", response=ExportOut, summary="One export, with its link")
def get_export_view(request: HttpRequest, export_id: int) -> dict:
    return _out(request, get_object_or_404(_visible(request), pk=export_id))


@router.post(
    "/exports",
    response={202: ExportOut},
    summary="Queue an export (run by a worker on the exports queue)",
)
def create_export(request: HttpRequest, payload: ExportIn) -> Status:
    export = request_export(
        payload.kind,
        user=request.user,
        fmt=payload.format,
        since=payload.since,
        until=payload.until,
        service_slug=payload.service or "",
        trigger=JobRun.Trigger.API,
    )
    return Status(202, _out(request, export))


class _LazyOut:
    """A sliceable view of a queryset that serializes only the page the paginator takes."""

    def __init__(self, request: HttpRequest, qs: QuerySet) -> None:
        self.request, self.qs = request, qs

    def __getitem__(self, page: slice) -> list[dict]:
        return [_out(self.request, e) for e in self.qs[page]]

    def count(self) -> int:
        return self.qs.count()
