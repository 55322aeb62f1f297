"""Back up a generated PostgreSQL database through the portal vs bare `pg_dump -Fc | gzip`.

Usage: DATABASE_URL=postgres://... python benchmarks/backup_overhead.py [--mb 150] [--rounds 2]
The portal's bookkeeping goes to the database in DATABASE_URL (migrated first); the source
database is created on the same server and dropped at the end. Both sides run in alternation;
the best round of each counts. Peak RSS of the portal's process is sampled at two database sizes
to show that memory does not grow with the database. Results go to
var/benchmarks/backup_overhead.md (copy them into BENCHMARKS.md).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import django
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from psycopg import sql  # noqa: E402

from apps.backups import backup  # noqa: E402
from apps.backups.dumping import tool_version  # noqa: E402
from apps.backups.models import BackupPolicy  # noqa: E402


class PeakRss:
    def __init__(self) -> None:
        self.proc, self.peak, self.stop = psutil.Process(), 0, threading.Event()

    def __enter__(self) -> "PeakRss":
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()


def server() -> dict:
    s = connection.settings_dict
    return {"host": s["HOST"] or "127.0.0.1", "port": int(s["PORT"] or 5432), "user": s["USER"]}


def make_database(name: str, megabytes: int) -> int:
    with psycopg.connect(**server(), dbname="postgres", autocommit=True) as pg:
        pg.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    rows = megabytes * 1024 * 1024 // 400
    with psycopg.connect(**server(), dbname=name, autocommit=True) as pg:
        # Text that compresses like real data (about 2-3x), not zeros and not pure noise.
        pg.execute(
            "CREATE TABLE events AS SELECT i AS id, now() - i * interval '1 second' AS at, "
            "'user-' || (i %% 5000) AS who, "
            "repeat(md5(i::text), 6) || md5(random()::text) AS body, "
            "(random() * 1000)::int AS score FROM generate_series(1, %s) i",
            [rows],
        )
        return pg.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def drop_database(name: str) -> None:
    with psycopg.connect(**server(), dbname="postgres", autocommit=True) as pg:
        pg.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def bare(name: str, out: Path) -> float:
    s = server()
    command = f"pg_dump -Fc -h {s['host']} -p {s['port']} -U {s['user']} {name} | gzip > {out}"
    started = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", command], check=True)
    return time.perf_counter() - started


def portal(policy: BackupPolicy) -> tuple[float, int, int]:
    with PeakRss() as rss:
        started = time.perf_counter()
        run = backup.run(policy, trigger="command")
        elapsed = time.perf_counter() - started
    if run.status != "succeeded":
        raise SystemExit(f"portal backup failed: {run.error}")
    return elapsed, run.size_bytes, rss.peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=150, help="size of the generated table")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--s3-endpoint",
        help="also back up the big database to this S3-compatible endpoint "
        "(BACKUP_S3_* settings for keys; a bucket is created)",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    settings.BACKUP_DIR = folder / "store"
    small, big = f"bench_small_{uuid.uuid4().hex[:8]}", f"bench_big_{uuid.uuid4().hex[:8]}"
    policies = []
    try:
        small_size = make_database(small, max(args.mb // 5, 10))
        big_size = make_database(big, args.mb)
        for name in (small, big):
            policies.append(
                BackupPolicy.objects.create(
                    name=f"bench {name}",
                    dbname=name,
                    keep_last=1,
                    keep_daily_days=0,
                    keep_weekly_weeks=0,
                    **server(),
                )
            )
        _, _, small_rss = portal(policies[0])
        bare_times, portal_times, big_rss, bare_size, ours_size = [], [], 0, 0, 0
        for _ in range(args.rounds):
            bare_times.append(bare(big, folder / "bare.dump.gz"))
            bare_size = (folder / "bare.dump.gz").stat().st_size
            elapsed, ours_size, peak = portal(policies[1])
            portal_times.append(elapsed)
            big_rss = max(big_rss, peak)
        s3 = s3_rounds(policies, args.s3_endpoint) if args.s3_endpoint else None
        write_results(
            args,
            small_size,
            big_size,
            min(bare_times),
            min(portal_times),
            bare_size,
            ours_size,
            small_rss,
            big_rss,
            s3,
        )
    finally:
        for policy in policies:
            policy.delete()
        drop_database(small)
        drop_database(big)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def s3_rounds(policies: list[BackupPolicy], endpoint: str) -> list[tuple[float, int, int]]:
    """One backup of each policy into a fresh bucket at `endpoint`: (seconds, bytes, peak RSS)."""
    from apps.backups.s3 import django_storage

    settings.BACKUP_S3_ENDPOINT_URL = endpoint
    settings.BACKUP_S3_BUCKET = f"bench-{uuid.uuid4().hex[:12]}"
    settings.BACKUP_S3_ACCESS_KEY_ID = settings.BACKUP_S3_ACCESS_KEY_ID or "bench"
    settings.BACKUP_S3_SECRET_ACCESS_KEY = settings.BACKUP_S3_SECRET_ACCESS_KEY or "bench"
    settings.BACKUP_S3_REGION = settings.BACKUP_S3_REGION or "us-east-1"
    django_storage().connection.meta.client.create_bucket(Bucket=settings.BACKUP_S3_BUCKET)
    results = []
    for policy in policies:
        policy.storage = "s3"
        policy.save()
        results.append(portal(policy))
    return results


def write_results(
    args, small_size, big_size, bare_s, ours_s, bare_size, ours_size, small_rss, big_rss, s3
) -> None:  # noqa: ANN001
    mib = 1024 * 1024
    overhead = (ours_s / bare_s - 1) * 100
    lines = [
        "# Backup benchmark",
        "",
        "`python benchmarks/backup_overhead.py` (generated table, same PostgreSQL server, "
        f"best of {args.rounds} alternating rounds; {os.cpu_count()} cores shared with others).",
        f"Tool: {tool_version('pg_dump')}.",
        "",
        "| | wall time | file size |",
        "|---|---|---|",
        f"| bare `pg_dump -Fc \\| gzip` | {bare_s:.2f} s | {bare_size / mib:.1f} MiB |",
        f"| portal `backups.run` (pg_dump -Fc -Z6, SHA-256, fsync, rename, row) | {ours_s:.2f} s "
        f"| {ours_size / mib:.1f} MiB |",
        "",
        f"Database size: {big_size / mib:.0f} MiB. Overhead: **{overhead:+.1f} %** "
        "(the bar is at most +10 %). pg_dump's custom format is already compressed, so the "
        "portal does not gzip it a second time; the bare pipeline pays for that second gzip "
        "on another core, which is why the two are close on an idle machine.",
        "",
        "Peak RSS of the process running the backup (sampled every 50 ms):",
        "",
        "| database size | peak RSS |",
        "|---|---|",
        f"| {small_size / mib:.0f} MiB | {small_rss / mib:.0f} MiB |",
        f"| {big_size / mib:.0f} MiB | {big_rss / mib:.0f} MiB |",
        "",
        "The dump streams through a 1 MiB buffer, so memory does not follow the database size.",
        *(
            [
                "",
                f"S3 (`--s3-endpoint`, {settings.BACKUP_S3_PART_MB} MiB parts, one uploading "
                f"while the next fills): {s3[1][0]:.2f} s for {s3[1][1] / mib:.1f} MiB; peak RSS "
                f"{s3[0][2] / mib:.0f} MiB at {small_size / mib:.0f} MiB and "
                f"{s3[1][2] / mib:.0f} MiB at {big_size / mib:.0f} MiB.",
            ]
            if s3
            else []
        ),
        "`--mb 1400` gives a database of a little over 1 GiB (the size the issue names).",
        "",
    ]
    path = ROOT / "var" / "benchmarks" / "backup_overhead.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
