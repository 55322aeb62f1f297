"""Export N audit rows to CSV through the portal vs PostgreSQL's COPY ... TO STDOUT.

Usage: DATABASE_URL=postgres://... python benchmarks/export_csv.py [ROWS]
Uses its own rows in the database given (migrated first); prints peak RSS and rows/s.
"""

import os
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import django
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.jobs.exporting import export_to_file, queryset_for  # noqa: E402
from apps.jobs.registry import get_export  # noqa: E402


class PeakRss:
    def __init__(self) -> None:
        self.proc, self.peak, self.stop = psutil.Process(), 0, threading.Event()

    def __enter__(self) -> "PeakRss":
        self.base = self.proc.memory_info().rss
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.01)

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.stop.set()


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    now = timezone.now()
    with connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE action = 'bench.export'")
        c.execute(
            """INSERT INTO audit_auditentry
               (at, actor_name, action, target_type, target_id, target_repr, detail, ip)
               SELECT %s - (i || ' seconds')::interval, 'bench', 'bench.export', 'bench.row',
                      i::text, 'row ' || i, jsonb_build_object('i', i), '127.0.0.1'
               FROM generate_series(1, %s) i""",
            [now, rows],
        )
    since, until = now - timedelta(days=400), now + timedelta(seconds=1)
    entry = get_export("audit_log")
    qs = queryset_for(entry, since=since, until=until).filter(action="bench.export")
    sql, params = qs.query.sql_with_params()
    out = Path(tempfile.mkdtemp()) / "bench.csv"
    with PeakRss() as mem:
        t0 = time.perf_counter()
        n = export_to_file("audit_log", since=since, until=until, fmt="csv", path=out)
        portal_s = time.perf_counter() - t0
    with connection.cursor() as c, open(os.devnull, "wb") as sink:
        raw = c.cursor
        t0 = time.perf_counter()
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", params) as copy:
            for data in copy:
                sink.write(data)
        copy_s = time.perf_counter() - t0
    out.unlink()
    with connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE action = 'bench.export'")
    print(f"rows: {n}")
    print(
        f"portal export: {portal_s:.2f} s, {n / portal_s:,.0f} rows/s, "
        f"peak RSS {mem.peak / 1e6:.0f} MB (+{(mem.peak - mem.base) / 1e6:.0f} MB)"
    )
    print(f"COPY TO STDOUT: {copy_s:.2f} s, {n / copy_s:,.0f} rows/s")
    print(f"portal / COPY speed: {copy_s / portal_s:.0%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
