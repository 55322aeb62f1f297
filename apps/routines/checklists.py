"""Recurring checklists: open each period's occurrence, tick items, report overdue ones.

`run_routines(now=...)` is what beat (every few minutes), `manage.py run_routines` and the
admin action all call. Every step is idempotent: a unique constraint makes one occurrence per
checklist and period, and an overdue occurrence is claimed with a conditional update before
it is reported, so two beats never report it twice.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.routines import evidence
from apps.routines.models import Checklist, ChecklistItem, Occurrence, OccurrenceItem

log = logging.getLogger(__name__)


@dataclass
class RoutineReport:
    opened: list[str] = field(default_factory=list)
    auto_ticked: int = 0
    completed: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.opened)} occurrence(s) opened, {self.auto_ticked} item(s) ticked from "
            f"evidence, {len(self.completed)} completed, {len(self.overdue)} reported overdue"
        )


def run_routines(*, now: datetime | None = None) -> RoutineReport:
    now = now or timezone.now()
    report = RoutineReport()
    report.opened = open_occurrences(now=now)
    report.auto_ticked = tick_from_evidence(now=now)
    report.completed = complete_finished(now=now)
    report.overdue = report_overdue(now=now)
    return report


def open_occurrences(*, now: datetime) -> list[str]:
    """Create the current period's occurrence of every active checklist; names of new ones."""
    checklists = list(Checklist.objects.filter(active=True))
    wanted = {}
    for checklist in checklists:
        period = checklist.period_at(now)
        wanted[(checklist.pk, period.key)] = Occurrence(
            checklist=checklist,
            period=period.key,
            period_start=period.start,
            period_end=period.end,
            due_at=period.end + checklist.grace,
            created_at=now,
        )
    if not wanted:
        return []
    match = Q()
    for checklist_id, key in wanted:
        match |= Q(checklist_id=checklist_id, period=key)
    existing = set(Occurrence.objects.filter(match).values_list("checklist_id", "period"))
    new = [occ for pair, occ in wanted.items() if pair not in existing]
    with transaction.atomic():
        # ignore_conflicts: a second beat that computed the same periods inserts nothing.
        Occurrence.objects.bulk_create(new, ignore_conflicts=True)
        _copy_items(match)
    return [str(occ) for occ in new]


def _copy_items(match: Q) -> None:
    """Give occurrences without items a copy of their checklist's items."""
    bare = Occurrence.objects.filter(match).annotate(n=Count("items")).filter(n=0)
    bare = list(bare.values_list("id", "checklist_id"))
    if not bare:
        return
    items = ChecklistItem.objects.filter(checklist_id__in={c for _, c in bare})
    by_checklist: dict[int, list[ChecklistItem]] = {}
    for item in items:
        by_checklist.setdefault(item.checklist_id, []).append(item)
    OccurrenceItem.objects.bulk_create(
        [
            OccurrenceItem(
                occurrence_id=occurrence_id,
                item=item,
                position=item.position,
                text=item.text,
                link=item.link,
                instructions=item.instructions,
                evidence_kind=item.evidence,
            )
            for occurrence_id, checklist_id in bare
            for item in by_checklist.get(checklist_id, [])
        ],
        ignore_conflicts=True,
    )


def tick_from_evidence(*, now: datetime) -> int:
    """Tick open items whose evidence the portal can find in their period; how many."""
    pending = (
        OccurrenceItem.objects.filter(ticked_at__isnull=True, occurrence__completed_at__isnull=True)
        .exclude(evidence_kind="")
        .select_related("occurrence")
    )
    proofs: dict[tuple[str, datetime], evidence.Evidence | None] = {}
    ticked = []
    for row in pending:
        occurrence = row.occurrence
        # Only proof from inside the period counts, even when checked after it ended.
        until = min(now, occurrence.period_end)
        key = (row.evidence_kind, occurrence.period_start)
        if key not in proofs:
            proofs[key] = evidence.prove(
                row.evidence_kind, now=until, since=occurrence.period_start
            )
        proof = proofs[key]
        if proof is None:
            continue
        row.ticked_at = now
        row.evidence_summary = proof.summary[:300]
        row.evidence_url = proof.url[:500]
        if proof.obj is not None:
            row.evidence_type = ContentType.objects.get_for_model(proof.obj)
            row.evidence_id = str(proof.obj.pk)
        ticked.append(row)
    fields = ["ticked_at", "evidence_summary", "evidence_url", "evidence_type", "evidence_id"]
    OccurrenceItem.objects.bulk_update(ticked, fields)
    return len(ticked)


def tick(row: OccurrenceItem, *, user: object, now: datetime, note: str = "") -> None:
    """A person ticks one item (recording who and when); completes the occurrence if last."""
    OccurrenceItem.objects.filter(pk=row.pk, ticked_at__isnull=True).update(
        ticked_at=now, ticked_by=user, note=note[:300]
    )
    complete_finished(now=now, occurrence_ids=[row.occurrence_id])


def untick(row: OccurrenceItem) -> None:
    """Take back a tick made by mistake (only while the occurrence is still open)."""
    OccurrenceItem.objects.filter(pk=row.pk, occurrence__completed_at__isnull=True).update(
        ticked_at=None, ticked_by=None, note="", evidence_summary="", evidence_url=""
    )


def complete_finished(*, now: datetime, occurrence_ids: list[int] | None = None) -> list[str]:
    """Mark open occurrences whose items are all ticked as completed; resolve their incident."""
    candidates = Occurrence.objects.open().annotate(
        left=Count("items", filter=Q(items__ticked_at__isnull=True))
    )
    if occurrence_ids is not None:
        candidates = candidates.filter(pk__in=occurrence_ids)
    done = list(candidates.filter(left=0).select_related("checklist"))
    if not done:
        return []
    Occurrence.objects.filter(pk__in=[o.pk for o in done], completed_at__isnull=True).update(
        completed_at=now
    )
    for occurrence in done:
        if occurrence.overdue_notified_at is not None:
            _report_recovery(occurrence, now)
    return [str(o) for o in done]


def report_overdue(*, now: datetime) -> list[str]:
    """Report each overdue occurrence once through the incident intake."""
    with transaction.atomic():
        claimed = list(
            Occurrence.objects.overdue(now)
            .filter(overdue_notified_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("checklist__responsible_user", "checklist__responsible_group")
        )
        Occurrence.objects.filter(pk__in=[o.pk for o in claimed]).update(overdue_notified_at=now)
    for occurrence in claimed:
        _report_problem(occurrence, now)
    return [str(o) for o in claimed]


def overdue_detail(occurrence: Occurrence) -> tuple[str, str]:
    """Title and detail of the incident an overdue occurrence opens."""
    open_items = list(
        occurrence.items.filter(ticked_at__isnull=True).values_list("text", flat=True)
    )
    total = occurrence.items.count()
    checklist = occurrence.checklist
    title = f"Checklist '{checklist.name}' for {occurrence.period} is overdue"
    detail = (
        f"{len(open_items)} of {total} item(s) not done (responsible: {checklist.responsible}); "
        f"due {occurrence.due_at:%Y-%m-%d %H:%M} UTC: " + "; ".join(open_items)
    )
    return title, detail


def _report_problem(occurrence: Occurrence, now: datetime) -> None:
    from apps.incidents.intake import report_problem

    title, detail = overdue_detail(occurrence)
    report_problem(
        occurrence.cause, title, severity=occurrence.checklist.severity, detail=detail, now=now
    )


def _report_recovery(occurrence: Occurrence, now: datetime) -> None:
    from apps.incidents.intake import report_recovery

    report_recovery(occurrence.cause, detail="The checklist was completed.", now=now)
