"""JSON API resources of the backups app (mounted under /api/v1/ by apps.api.api)."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.api.auth import require_perm
from apps.api.pagination import LimitOffset
from apps.backups import actions
from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.backups.policies import apply_changes

router = Router(tags=["backups"])


class Retention(Schema):
    keep_last: int = Field(7, ge=1)
    keep_daily_days: int = Field(7, ge=0)
    keep_weekly_weeks: int = Field(4, ge=0)


class PolicyOut(Schema):
    id: int
    name: str
    service: str | None
    kind: str
    enabled: bool
    host: str
    port: int
    dbname: str
    user: str
    password_env: str
    has_stored_password: bool
    restore_host: str
    restore_port: int | None
    schedule: str
    restore_schedule: str
    timezone: str
    storage: str
    compression_level: int
    retention: Retention
    max_age_hours: int
    assertions: list[str]

    @staticmethod
    def resolve_service(obj: BackupPolicy) -> str | None:
        return obj.service.slug if obj.service_id else None

    @staticmethod
    def resolve_has_stored_password(obj: BackupPolicy) -> bool:
        return bool(obj.password_encrypted)

    @staticmethod
    def resolve_timezone(obj: BackupPolicy) -> str:
        return obj.schedule_timezone

    @staticmethod
    def resolve_retention(obj: BackupPolicy) -> dict:
        return {
            "keep_last": obj.keep_last,
            "keep_daily_days": obj.keep_daily_days,
            "keep_weekly_weeks": obj.keep_weekly_weeks,
        }

    @staticmethod
    def resolve_assertions(obj: BackupPolicy) -> list[str]:
        return obj.assertion_list()


class PolicyIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    service: str | None = Field(None, description="service slug; null for the portal's own DB")
    kind: BackupPolicy.Kind = BackupPolicy.Kind.POSTGRES
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(5432, ge=1, le=65535)
    dbname: str = ""
    user: str = ""
    password_env: str = Field("", description="environment variable holding the password")
    password: str | None = Field(
        None, description="write-only; stored encrypted (needs BACKUP_ENCRYPTION_KEYS)"
    )
    restore_host: str = ""
    restore_port: int | None = Field(None, ge=1, le=65535)
    schedule: str = "0 2 * * *"
    restore_schedule: str = "0 4 * * 0"
    timezone: str = "UTC"
    storage: BackupPolicy.Storage = BackupPolicy.Storage.LOCAL
    compression_level: int = Field(6, ge=0, le=9)
    retention: Retention = Retention()
    max_age_hours: int = Field(26, ge=1)
    assertions: list[str] = []


class PolicyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    service: str | None = None
    kind: BackupPolicy.Kind | None = None
    enabled: bool | None = None
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    dbname: str | None = None
    user: str | None = None
    password_env: str | None = None
    password: str | None = None
    restore_host: str | None = None
    restore_port: int | None = Field(None, ge=1, le=65535)
    schedule: str | None = None
    restore_schedule: str | None = None
    timezone: str | None = None
    storage: BackupPolicy.Storage | None = None
    compression_level: int | None = Field(None, ge=0, le=9)
    retention: Retention | None = None
    max_age_hours: int | None = Field(None, ge=1)
    assertions: list[str] | None = None


class RunOut(Schema):
    id: int
    policy: int = Field(..., alias="policy_id")
    status: str
    trigger: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    size_bytes: int | None
    bytes_done: int | None
    progress_percent: float | None = Field(
        None, description="100 when done; while running, estimated against the previous file"
    )
    database_bytes: int | None
    sha256: str
    storage: str
    file_name: str
    server_version: str
    tool_version: str
    error: str
    log_tail: str
    verified_at: datetime | None
    verify_ok: bool | None
    pruned_at: datetime | None


class CheckOut(Schema):
    id: int
    policy: int = Field(..., alias="policy_id")
    backup_run: int | None = Field(None, alias="backup_run_id")
    status: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    phase: str
    tables: dict[str, int]
    assertion_results: list[dict]
    error: str
    log_tail: str


class Queued(Schema):
    queued: bool
    detail: str


class RunFilter(Schema):
    policy: int | None = None
    status: BackupRun.Status | None = None


class CheckFilter(Schema):
    policy: int | None = None
    status: RestoreCheck.Status | None = None


def _policy(policy_id: int) -> BackupPolicy:
    return get_object_or_404(BackupPolicy.objects.select_related("service"), pk=policy_id)


@router.get("/backup-policies", response=list[PolicyOut], summary="List backup policies")
@paginate(LimitOffset)
def list_policies(request: HttpRequest, service: str | None = None):  # noqa: ANN201
    require_perm(request, "backups.view_backuppolicy")
    policies = BackupPolicy.objects.select_related("service").order_by("name")
    if service:
        policies = policies.filter(service__slug=service)
    return policies


@router.post("/backup-policies", response={201: PolicyOut}, summary="Create a backup policy")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status:
    require_perm(request, "backups.add_backuppolicy")
    data = payload.dict()
    if data["password"] is None:
        data.pop("password")
    return Status(201, apply_changes(BackupPolicy(), data))


@router.get("/backup-policies/{policy_id}", response=PolicyOut, summary="One backup policy")
def get_policy(request: HttpRequest, policy_id: int) -> BackupPolicy:
    require_perm(request, "backups.view_backuppolicy")
    return _policy(policy_id)


@router.put("/backup-policies/{policy_id}", response=PolicyOut, summary="Replace a policy")
def replace_policy(request: HttpRequest, policy_id: int, payload: PolicyIn) -> BackupPolicy:
    require_perm(request, "backups.change_backuppolicy")
    data = payload.dict()
    if data["password"] is None:
        data.pop("password")
    return apply_changes(_policy(policy_id), data)


@router.patch("/backup-policies/{policy_id}", response=PolicyOut, summary="Change a policy")
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> BackupPolicy:
    require_perm(request, "backups.change_backuppolicy")
    return apply_changes(_policy(policy_id), payload.dict(exclude_unset=True))


@router.delete("/backup-policies/{policy_id}", response={204: None}, summary="Delete a policy")
def delete_policy(request: HttpRequest, policy_id: int) -> Status:
    require_perm(request, "backups.delete_backuppolicy")
    _policy(policy_id).delete()
    return Status(204, None)


@router.post(
    "/backup-policies/{policy_id}/run", response={202: RunOut}, summary="Back up now (queued)"
)
def run_policy(request: HttpRequest, policy_id: int) -> Status:
    require_perm(request, "backups.run_backuppolicy")
    return Status(
        202,
        actions.queue_backup(_policy(policy_id), trigger=BackupRun.Trigger.API, request=request),
    )


@router.post(
    "/backup-policies/{policy_id}/restore-check",
    response={202: Queued},
    summary="Restore-check the newest good backup now (queued)",
)
def restore_check_policy(request: HttpRequest, policy_id: int) -> Status:
    require_perm(request, "backups.run_backuppolicy")
    policy = _policy(policy_id)
    actions.queue_restore_check(policy, trigger=BackupRun.Trigger.API, request=request)
    return Status(202, {"queued": True, "detail": f"restore check of {policy.name!r} queued"})


@router.get("/backup-runs", response=list[RunOut], summary="List backup runs")
@paginate(LimitOffset)
def list_runs(request: HttpRequest, filters: Query[RunFilter]):  # noqa: ANN201
    require_perm(request, "backups.view_backuprun")
    runs = BackupRun.objects.all()
    if filters.policy:
        runs = runs.filter(policy_id=filters.policy)
    if filters.status:
        runs = runs.filter(status=filters.status)
    return runs


@router.get("/backup-runs/{run_id}", response=RunOut, summary="One backup run")
def get_run(request: HttpRequest, run_id: int) -> BackupRun:
    require_perm(request, "backups.view_backuprun")
    return get_object_or_404(BackupRun, pk=run_id)


@router.post(
    "/backup-runs/{run_id}/verify",
    response={202: RunOut},
    summary="Re-check the stored file's SHA-256 (queued; see verified_at / verify_ok)",
)
def verify_run(request: HttpRequest, run_id: int) -> Status:
    require_perm(request, "backups.run_backuppolicy")
    run = get_object_or_404(BackupRun.objects.select_related("policy"), pk=run_id)
    if not run.is_good:
        from apps.backups.errors import NoGoodBackup

        raise NoGoodBackup(f"backup run {run.pk} has no stored file to verify ({run.status})")
    actions.queue_verify(run, request=request)
    return Status(202, run)


@router.get("/restore-checks", response=list[CheckOut], summary="List restore checks")
@paginate(LimitOffset)
def list_checks(request: HttpRequest, filters: Query[CheckFilter]):  # noqa: ANN201
    require_perm(request, "backups.view_restorecheck")
    checks = RestoreCheck.objects.all()
    if filters.policy:
        checks = checks.filter(policy_id=filters.policy)
    if filters.status:
        checks = checks.filter(status=filters.status)
    return checks


@router.get("/restore-checks/{check_id}", response=CheckOut, summary="One restore check")
def get_check(request: HttpRequest, check_id: int) -> RestoreCheck:
    require_perm(request, "backups.view_restorecheck")
    return get_object_or_404(RestoreCheck, pk=check_id)
