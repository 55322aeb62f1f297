"""Is each policy's backup state healthy? Problems go to the incident intake, one cause each.

A policy is in trouble when its newest good backup is older than `max_age_hours` (or it never
had one once that much time has passed), when its last backup failed, or when its last restore
check failed. The intake keeps one open incident per cause and resolves it on recovery.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck


@dataclass(frozen=True)
class State:
    newest_good_at: datetime | None
    last_run_status: str | None
    last_run_error: str
    last_check_status: str | None
    last_check_error: str


def problems(policy: BackupPolicy, state: State, *, now: datetime) -> list[str]:
    """Sentences describing what is wrong (empty when all is well). Pure."""
    found = []
    limit = policy.max_age_hours
    if state.newest_good_at is None:
        if (now - policy.created_at) > policy.max_age:
            found.append(f"no good backup at all (the limit is {limit} h)")
    elif now - state.newest_good_at > policy.max_age:
        hours = (now - state.newest_good_at).total_seconds() / 3600
        found.append(f"the newest good backup is {hours:.1f} h old (the limit is {limit} h)")
    if state.last_run_status == BackupRun.Status.FAILED:
        found.append(f"the last backup failed: {state.last_run_error}")
    if state.last_check_status == RestoreCheck.Status.FAILED:
        found.append(f"the last restore check failed: {state.last_check_error}")
    return found


def with_state(policies):  # noqa: ANN001, ANN201
    """Annotate a policy queryset with what `State` needs, in one query."""
    good = BackupRun.objects.filter(
        policy=OuterRef("pk"), status=BackupRun.Status.SUCCEEDED, pruned_at__isnull=True
    ).order_by("-finished_at")
    finished = BackupRun.objects.filter(
        policy=OuterRef("pk"), status__in=[BackupRun.Status.SUCCEEDED, BackupRun.Status.FAILED]
    ).order_by("-finished_at", "-pk")
    checked = RestoreCheck.objects.filter(
        policy=OuterRef("pk"), finished_at__isnull=False
    ).order_by("-finished_at", "-pk")
    return policies.annotate(
        newest_good_at=Subquery(good.values("finished_at")[:1]),
        newest_good_started=Subquery(good.values("started_at")[:1]),
        newest_good_size=Subquery(good.values("size_bytes")[:1]),
        last_run_status=Subquery(finished.values("status")[:1]),
        last_run_error=Subquery(finished.values("error")[:1]),
        last_check_status=Subquery(checked.values("status")[:1]),
        last_check_error=Subquery(checked.values("error")[:1]),
        last_check_at=Subquery(checked.values("finished_at")[:1]),
    )


def state_of(policy: BackupPolicy) -> State:
    if not hasattr(policy, "last_run_status"):
        policy = with_state(BackupPolicy.objects.filter(pk=policy.pk)).get()
    return State(
        policy.newest_good_at,
        policy.last_run_status,
        policy.last_run_error or "",
        policy.last_check_status,
        policy.last_check_error or "",
    )


def evaluate(policy: BackupPolicy, *, now: datetime) -> list[str]:
    """Report the policy's problems to the incident intake, or its recovery; returns them."""
    from apps.incidents.intake import report_problem, report_recovery

    found = problems(policy, state_of(policy), now=now) if policy.enabled else []
    if found:
        report_problem(
            policy.cause,
            f"Backups of {policy.name}: {found[0]}",
            severity="SEV2",
            service_ids=[policy.service_id] if policy.service_id else [],
            detail=" ".join(found),
            now=now,
        )
    else:
        report_recovery(
            policy.cause, detail="Backups are fresh and the last checks passed.", now=now
        )
    return found


def check_all(*, now: datetime) -> dict[int, list[str]]:
    """Evaluate every policy (the periodic freshness task)."""
    return {
        policy.pk: evaluate(policy, now=now) for policy in with_state(BackupPolicy.objects.all())
    }
