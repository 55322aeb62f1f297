"""Measure bytes per stored probe result and rollup row on PostgreSQL; project a year.

Fills a benchmark database with realistic rows (results every 60 s for `--monitors`
monitors over `--days` days, hourly and daily rollups from them through the real rollup
code), runs VACUUM ANALYZE, and divides each table's total size (heap, TOAST and every index)
by its row count. The projection uses the default retention of each kind.

    .venv/bin/python benchmarks/storage.py [--monitors 100] [--days 2]

`DATABASE_URL` defaults to a `portal_bench_storage` database (created and migrated).
Results go to `var/benchmarks/storage.json`.
"""

import argparse
import io
import json
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health_endpoints import ROOT, machine, prepare_database  # noqa: E402

TABLES = {
    "probe_results": "monitoring_proberesult",
    "rollups_hourly": "monitoring_hourlyrollup",
    "rollups_daily": "monitoring_dailyrollup",
}


def fill(monitors: int, days: int, end: datetime) -> None:
    from django.db import connection

    from apps.monitoring.models import DailyRollup, HourlyRollup, Monitor, Service
    from apps.monitoring.rollups import roll_up_day, roll_up_hour

    # TRUNCATE, not DELETE: dead rows of an earlier run would stay in the files measured.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES.values())}")
    Service.objects.filter(slug="bench-storage").delete()
    service = Service.objects.create(name="storage", slug="bench-storage")
    ids = [
        m.id
        for m in Monitor.objects.bulk_create(
            Monitor(service=service, target="http://127.0.0.1:9/") for _ in range(monitors)
        )
    ]
    start = end - timedelta(days=days)
    rng = random.Random(7)
    buffer = io.StringIO()
    for step in range(days * 1440):
        at = (start + timedelta(minutes=step)).isoformat()
        for mid in ids:
            if rng.random() < 0.01:  # about 1 % failures, with an error text
                buffer.write(f"{at}\t{mid}\t\\N\t503\tf\tstatus 503\n")
            else:
                buffer.write(f"{at}\t{mid}\t{int(rng.lognormvariate(3.5, 0.6))}\t200\tt\t\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
            "COPY monitoring_proberesult (checked_at, monitor_id, latency_ms, status_code, ok, "
            "error) FROM STDIN"
        ) as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        roll_up_hour(hour)
        hour += timedelta(hours=1)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        roll_up_day(day)
        day += timedelta(days=1)
    # Rollup tables of a few hundred rows are mostly empty pages; copy the real rows back
    # in time (their content unchanged) until each table holds a realistic count.
    for model, copies, step in ((HourlyRollup, 15, timedelta(days=days)),
                                (DailyRollup, 120, timedelta(days=days + 1))):  # fmt: skip
        rows = list(model.objects.values("monitor_id", "period_start", "checks", "failures",
                                         "latency_sum_ms", "latency_histogram"))  # fmt: skip
        model.objects.bulk_create(
            (
                model(**{**row, "period_start": row["period_start"] - step * k})
                for k in range(1, copies)
                for row in rows
            ),
            batch_size=5000,
        )


def measure() -> dict[str, dict]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for kind, table in TABLES.items():
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")  # noqa: S608
            rows, size = cursor.fetchone()
            out[kind] = {
                "rows": rows,
                "bytes": size,
                "bytes_per_row": round(size / max(rows, 1), 1),
            }
    return out


def project(measured: dict[str, dict], monitors: int = 1000, interval: int = 60) -> dict:
    from apps.jobs.registry import retention_kinds

    days = {kind: entry.default_days for kind, entry in retention_kinds().items()}
    rows = {
        "probe_results": monitors * 86400 // interval * min(days["probe_results"], 365),
        "rollups_hourly": monitors * 24 * min(days["rollups_hourly"], 365),
        "rollups_daily": monitors * min(days["rollups_daily"], 365),
    }
    sizes = {kind: rows[kind] * measured[kind]["bytes_per_row"] for kind in rows}
    return {
        "monitors": monitors,
        "interval_s": interval,
        "retention_days": {kind: days[kind] for kind in rows},
        "rows_kept": rows,
        "bytes": {kind: round(size) for kind, size in sizes.items()},
        "total_mb": round(sum(sizes.values()) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=100)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_storage"
        ),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    args.workers = 1
    prepare_database(args)
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    fill(args.monitors, args.days, datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    measured = measure()
    result = {"machine": machine(), "measured": measured, "projection": project(measured)}
    out = ROOT / "var" / "benchmarks" / "storage.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
