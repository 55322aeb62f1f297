"""Retention of N expired audit rows while a writer inserts continuously.

    .venv/bin/python benchmarks/retention_writer.py [--rows 10000000] [--batch 5000]

Uses DATABASE_URL (default: a `portal_bench_retention` database on the local PostgreSQL,
created and migrated when missing). Fills `audit_auditentry` with N rows 200 days old (past
the 90-day default), then runs the portal's retention (`apps.jobs.retention.apply`, batched,
one short transaction per batch) while a second connection inserts a fresh audit row in a
loop, timing every insert. Reports rows deleted per second and the writer's worst waits.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_retention"
INSERT_OLD = """
INSERT INTO audit_auditentry (at, actor_name, action, target_type, target_id, target_repr,
                              detail, ip)
SELECT now() - interval '200 days' + g * interval '1 millisecond', 'bench', 'bench.old',
       'bench.row', g::text, 'old row', '{}'::jsonb, NULL
  FROM generate_series(1, %s) AS g
"""
INSERT_NEW = """
INSERT INTO audit_auditentry (at, actor_name, action, target_type, target_id, target_repr,
                              detail, ip)
VALUES (now(), 'bench', 'bench.new', 'bench.row', '', 'new row', '{}'::jsonb, NULL)
"""


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def writer(url: str, stop: threading.Event, waits: list[float]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            started = time.perf_counter()
            conn.execute(INSERT_NEW)
            waits.append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DB_POOL", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    ensure_database(url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from tqdm import tqdm

    from apps.jobs import retention

    call_command("migrate", verbosity=0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE audit_auditentry")
        chunk = 1_000_000
        for done in tqdm(range(0, args.rows, chunk), desc="filling", unit="M rows"):
            conn.execute(INSERT_OLD, [min(chunk, args.rows - done)])
        conn.execute("VACUUM ANALYZE audit_auditentry")

    stop, waits = threading.Event(), []
    thread = threading.Thread(target=writer, args=(url, stop, waits))
    thread.start()
    time.sleep(1)
    bar = tqdm(total=args.rows, desc="retention", unit="rows")
    started = time.perf_counter()
    outcome = retention.apply(
        "audit_log",
        now=timezone.now(),
        batch_size=args.batch,
        on_batch=lambda deleted, total: bar.update(deleted - bar.n),
    )
    elapsed = time.perf_counter() - started
    bar.close()
    stop.set()
    thread.join()
    waits_ms = sorted(w * 1000 for w in waits)
    print(
        f"deleted {outcome.deleted:,} of {outcome.examined:,} expired rows in {elapsed:.1f} s "
        f"({outcome.deleted / elapsed:,.0f} rows/s, batch {args.batch}); writer: "
        f"{len(waits_ms):,} inserts, median {statistics.median(waits_ms):.2f} ms, "
        f"p99 {waits_ms[int(len(waits_ms) * 0.99)]:.2f} ms, max {waits_ms[-1]:.2f} ms; "
        f"inserts over 200 ms: {sum(w > 200 for w in waits_ms)}"
    )


if __name__ == "__main__":
    main()
