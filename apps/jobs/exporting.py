"""Exports: CSV or JSON Lines of one export kind, filtered by period and service.

The rows are streamed from a server-side cursor on a connection of their own (PostgreSQL),
`EXPORT_CHUNK_SIZE` rows per round trip, straight into the file, so memory stays flat
whatever the size. A separate connection because a server-side cursor lives inside a
transaction: progress written on that same connection would stay invisible until the end.
"""

import csv
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.errors import Forbidden, NotFound, PortalError
from apps.jobs.models import Export, JobRun
from apps.jobs.registry import ExportKind, get_export, register_export
from apps.jobs.runs import run_job

Progress = Callable[[int, int | None], None]


def register_known_kinds() -> None:
    """Export kinds for other apps' models that exist in this checkout.

    Other apps may register richer kinds themselves (registry.register_export); this covers
    the spec's list without making the jobs app depend on their code.
    """
    candidates = [
        (
            "probe_results",
            "monitoring.ProbeResult",
            "checked_at",
            "monitoring.view_monitor",
            "monitor__service__slug",
        ),
        ("incidents", "incidents.Incident", "opened_at", "incidents.view_incident", None),
        ("backup_runs", "backups.BackupRun", "started_at", "backups.view_backuprun", None),
    ]
    for kind, label, date_field, permission, service_field in candidates:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if date_field not in names:
            continue
        columns = {
            f.name if not f.is_relation else f.attname: f.attname
            for f in model._meta.concrete_fields
        }
        service = service_field
        if service is None and "service" in names:
            service = "service__slug"
        if kind == "backup_runs" and "policy" in names:
            service = "policy__service__slug"
        register_export(
            kind,
            model=label,
            date_field=date_field,
            columns=columns,
            permission=permission,
            service_field=service,
            json_columns=tuple(
                f.attname
                for f in model._meta.concrete_fields
                if f.get_internal_type() == "JSONField"
            ),
        )


def queryset_for(
    entry: ExportKind,
    *,
    since: datetime,
    until: datetime,
    service_slug: str = "",
    ids: list | None = None,
) -> QuerySet:
    """The rows of one export as a values_list queryset, oldest first by primary key."""
    qs = entry.model_class()._base_manager.filter(
        **{f"{entry.date_field}__gte": since, f"{entry.date_field}__lt": until}
    )
    if service_slug:
        qs = qs.filter(**{entry.service_field: service_slug})
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.order_by("pk").values_list(*entry.columns.values())


def validate_request(
    entry: ExportKind,
    *,
    user,  # noqa: ANN001
    fmt: str,
    since: datetime,
    until: datetime,
    service_slug: str,
) -> None:
    """Refuse a request the user may not make or that cannot be run, with a clear message."""
    if user is not None and not user.has_perm(entry.permission):
        raise Forbidden(f"exporting {entry.label} needs the permission {entry.permission}")
    if fmt not in Export.Format.values:
        raise PortalError("format must be csv or jsonl", fields={"format": "csv or jsonl"})
    if since >= until:
        raise PortalError("since must be before until", fields={"since": "after until"})
    if service_slug:
        if entry.service_field is None:
            raise PortalError(
                f"{entry.label} cannot be filtered by service",
                fields={"service": "not supported for this kind"},
            )
        from apps.monitoring.models import Service

        if not Service.objects.filter(slug=service_slug).exists():
            raise NotFound(f"no service {service_slug!r}", fields={"service": "unknown"})


def request_export(
    kind: str,
    *,
    user,  # noqa: ANN001
    fmt: str,
    since: datetime,
    until: datetime,
    service_slug: str = "",
    ids: list | None = None,
    trigger: str,
) -> Export:
    """Create an Export and queue it on the `exports` queue once the row is committed."""
    from apps.jobs import tasks

    entry = get_export(kind)
    validate_request(entry, user=user, fmt=fmt, since=since, until=until, service_slug=service_slug)
    export = Export.objects.create(
        kind=kind,
        format=fmt,
        since=since,
        until=until,
        service_slug=service_slug,
        ids=list(ids or []),
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    tasks.export_run.delay_on_commit(export.pk, trigger)
    return export


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID | timedelta):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def _rows(qs: QuerySet, chunk_size: int) -> Iterator[tuple]:
    if connection.vendor != "postgresql":
        yield from qs.iterator(chunk_size=chunk_size)
        return
    sql, params = qs.query.sql_with_params()
    reader = connections.create_connection(qs.db)
    try:
        reader.ensure_connection()
        raw = reader.connection
        with raw.transaction(), raw.cursor(name="portal_export") as cursor:
            cursor.itersize = chunk_size
            cursor.execute(sql, params)
            yield from cursor
    finally:
        reader.close()


def _copy_csv(qs: QuerySet, out: IO[str], *, total: int | None, progress: Progress | None) -> int:
    """CSV rows straight from PostgreSQL's COPY, streamed in chunks: the database formats
    the values, which is several times faster than converting each one in Python."""
    sql, params = qs.query.sql_with_params()
    reader = connections.create_connection(qs.db)
    seen = 0
    try:
        reader.ensure_connection()
        with reader.connection.cursor() as cursor:
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                for data in copy:
                    chunk = bytes(data).decode()
                    out.write(chunk)
                    if progress is not None:
                        # Newlines inside quoted values make this approximate; the final
                        # count below is the server's.
                        seen += chunk.count("\n")
                        progress(min(seen, total or seen), total)
            count = cursor.rowcount
    finally:
        reader.close()
    if progress is not None:
        progress(count, total)
    return count


def write(
    entry: ExportKind,
    qs: QuerySet,
    fmt: str,
    out: IO[str],
    *,
    total: int | None = None,
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> int:
    """Stream the queryset's rows into `out` as CSV (with a header) or JSON Lines."""
    chunk = chunk_size or settings.EXPORT_CHUNK_SIZE
    names = list(entry.columns)
    json_idx = [i for i, path in enumerate(entry.columns.values()) if path in entry.json_columns]
    count = 0
    if fmt == Export.Format.CSV and connection.vendor == "postgresql":
        csv.writer(out).writerow(names)
        return _copy_csv(qs, out, total=total, progress=progress)
    if fmt == Export.Format.CSV:
        writer = csv.writer(out)
        writer.writerow(names)
        for row in _rows(qs, chunk):
            if json_idx:
                row = list(row)
                for i in json_idx:
                    if row[i] is not None and not isinstance(row[i], str):
                        row[i] = json.dumps(row[i], default=str)
            writer.writerow(row)
            count += 1
            if progress is not None and count % chunk == 0:
                progress(count, total)
    else:
        dumps = json.JSONEncoder(default=_plain, ensure_ascii=False).encode
        for row in _rows(qs, chunk):
            record = dict(zip(names, row, strict=True))
            for i in json_idx:
                value = row[i]
                if isinstance(value, str):
                    record[names[i]] = json.loads(value)
            out.write(dumps(record))
            out.write("\n")
            count += 1
            if progress is not None and count % chunk == 0:
                progress(count, total)
    if progress is not None:
        progress(count, total)
    return count


def _check_cap(total: int) -> None:
    cap = settings.EXPORT_MAX_ROWS
    if cap and total > cap:
        raise PortalError(
            f"the export has {total} rows, more than EXPORT_MAX_ROWS={cap}: narrow the period"
        )


def export_to_file(
    kind: str,
    *,
    since: datetime,
    until: datetime,
    fmt: str,
    path: Path,
    service_slug: str = "",
    ids: list | None = None,
    progress: Progress | None = None,
) -> int:
    """Write one export to `path` (through a temporary name); returns the number of rows."""
    entry = get_export(kind)
    validate_request(entry, user=None, fmt=fmt, since=since, until=until, service_slug=service_slug)
    qs = queryset_for(entry, since=since, until=until, service_slug=service_slug, ids=ids)
    total = qs.count()
    _check_cap(total)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "w", newline="", encoding="utf-8", buffering=1 << 20) as out:
        rows = write(entry, qs, fmt, out, total=total, progress=progress)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return rows


def file_path(export: Export) -> Path:
    return Path(settings.EXPORT_DIR) / export.file_name


def run_export(export_id: int, *, trigger: str, now: datetime | None = None) -> Export:
    """Run one queued export (what the `exports` queue task does). A redelivered task for an
    export that is already done is a no-op; one that is running elsewhere is refused."""
    export = Export.objects.filter(pk=export_id).first()
    if export is None or export.status in (Export.Status.DONE, Export.Status.EXPIRED):
        return export
    with run_job(
        JobRun.Kind.EXPORT,
        trigger=trigger,
        user=export.requested_by,
        params={"export": export.pk, "kind": export.kind, "format": export.format},
        lock_key=f"export:{export.pk}",
        now=now,
    ) as run:
        export.file_name = f"export-{export.pk}-{export.kind}.{export.format}"
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.RUNNING, job_run=run.run, file_name=export.file_name, error=""
        )

        last = [0.0]

        def progress(done: int, total: int | None) -> None:
            # At most one write a second: the COPY path reports every few kilobytes.
            if time.monotonic() - last[0] < 1.0 and done != total:
                return
            last[0] = time.monotonic()
            percent = 100.0 * done / total if total else 100.0
            run.run.counts["exported"] = done
            run.run.counts["examined"] = total or done
            run.progress(percent)
            Export.objects.filter(pk=export.pk).update(
                rows_exported=done, rows_total=total, progress=run.run.progress
            )

        try:
            rows = export_to_file(
                export.kind,
                since=export.since,
                until=export.until,
                fmt=export.format,
                path=file_path(export),
                service_slug=export.service_slug,
                ids=export.ids,
                progress=progress,
            )
        except Exception as exc:
            Export.objects.filter(pk=export.pk).update(
                status=Export.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
            )
            raise
        finished = timezone.now()
        run.log(f"exported {rows} rows to {export.file_name}")
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.DONE,
            progress=100.0,
            rows_exported=rows,
            rows_total=rows,
            size_bytes=file_path(export).stat().st_size,
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.EXPORT_FILE_HOURS),
        )
    export.refresh_from_db()
    return export


def delete_expired_files(*, now: datetime, dry_run: bool = False) -> int:
    """Delete the files of exports past their expiry; the rows stay (retention removes them)."""
    expired = Export.objects.filter(status=Export.Status.DONE, expires_at__lt=now)
    count = 0
    for export in expired.only("pk", "file_name"):
        count += 1
        if dry_run:
            continue
        file_path(export).unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.EXPIRED)
    if not dry_run:
        # Leftovers of exports killed mid-write: nobody will finish a .part older than a day.
        cutoff = (now - timedelta(days=1)).timestamp()
        for part in Path(settings.EXPORT_DIR).glob("*.part"):
            if part.stat().st_mtime < cutoff:
                part.unlink(missing_ok=True)
                count += 1
    return count
