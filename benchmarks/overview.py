"""Benchmark the overview dashboard: 1,000 services with 30 days of history, under gunicorn
with PostgreSQL and Redis.

Seeds a dedicated database (once; reused when it already holds the same data set) with
services, one HTTP monitor each, 30 days of hourly and daily rollups (the tables the
monitoring app's rollup job fills), state changes (two outages per monitor), open incidents
and backup policies with runs. Then runs the project's gunicorn config and requests
`/dashboards/` (full page, and the partial the page polls) as a logged-in staff user from one
and from several client threads, with the shared table cache off (DASHBOARDS_CACHE_SECONDS=0)
and at its default of 5 s, reporting p50/p95/p99
and the number of SQL queries per page.

    .venv/bin/python benchmarks/overview.py [--services 1000] [--requests 200] [--clients 2]

`DATABASE_URL` / `REDIS_URL` choose the services (default: database `portal_bench_overview`
on the local PostgreSQL, Redis database 15). Results: `var/benchmarks/overview.json`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_overview"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
SEED_MARK = "bench-overview-v2"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
    )


def seed(services: int, days: int, now: datetime) -> None:
    """Write the data set with COPY (a few seconds for ~750,000 rollup rows)."""
    from django.db import connection, transaction
    from tqdm import tqdm

    from apps.backups.models import BackupPolicy, BackupRun
    from apps.incidents.models import Incident
    from apps.monitoring.models import DailyRollup, HourlyRollup, Monitor, Service, StateChange
    from apps.monitoring.stats import bucket_index, pack_histogram

    if Service.objects.filter(description=SEED_MARK).count() == services:
        print(f"reusing the seeded data set ({services} services)")
        return
    print(f"seeding {services} services with {days} days of history")
    with transaction.atomic():
        for model in (Incident, BackupRun, BackupPolicy, Service):
            model.objects.all().delete()
        start = now - timedelta(days=days + 1)
        rows = Service.objects.bulk_create(
            Service(
                name=f"service {n:04d}",
                slug=f"service-{n:04d}",
                state="down" if n % 97 == 0 else "up",
                description=SEED_MARK,
                created_at=start,
            )
            for n in range(services)
        )
        monitors = Monitor.objects.bulk_create(
            Monitor(
                service=s,
                name=f"{s.name} http",
                target=f"http://127.0.0.1:9/{s.slug}",
                state=s.state,
                created_at=start,
            )
            for s in rows
        )
        changes = []
        for n, m in enumerate(monitors):
            for back in (3 + n % 20, 11 + n % 13):
                down = now - timedelta(days=back, minutes=n % 60)
                changes += [
                    StateChange(monitor=m, at=down, previous="up", current="down"),
                    StateChange(
                        monitor=m, at=down + timedelta(minutes=7), previous="down", current="up"
                    ),
                ]
        StateChange.objects.bulk_create(changes, batch_size=5000)
        hour0 = now.replace(minute=0, second=0, microsecond=0)
        day0 = now.replace(hour=0, minute=0, second=0, microsecond=0)
        with connection.cursor() as cursor:
            cols = "(period_start, monitor_id, latency_sum_ms, checks, failures, latency_histogram)"
            hourly = HourlyRollup._meta.db_table
            with cursor.connection.cursor().copy(f"COPY {hourly} {cols} FROM STDIN") as copy:
                for h in tqdm(range(days * 24), desc="hourly rollups"):
                    at = hour0 - timedelta(hours=h)
                    for m in monitors:
                        fast, slow = bucket_index(40 + m.id % 50), bucket_index(300 + h % 200)
                        hist = pack_histogram({fast: 57, slow: 3})
                        copy.write_row((at, m.id, 57 * 60 + 3 * 400, 60, 0, hist))
            daily = DailyRollup._meta.db_table
            with cursor.connection.cursor().copy(f"COPY {daily} {cols} FROM STDIN") as copy:
                for d in range(days):
                    for m in monitors:
                        hist = pack_histogram({bucket_index(60): 1368, bucket_index(400): 72})
                        copy.write_row((day0 - timedelta(days=d), m.id, 1440 * 80, 1440, 0, hist))
        for s in rows[:50]:
            incident = Incident.objects.create(title=f"{s.name} is down", opened_at=now)
            incident.services.add(s)
        policies = BackupPolicy.objects.bulk_create(
            BackupPolicy(name=f"db {s.slug}", service=s, host="127.0.0.1", dbname="x", user="x")
            for s in rows[:200]
        )
        BackupRun.objects.bulk_create(
            BackupRun(
                policy=p,
                status="succeeded",
                trigger="schedule",
                finished_at=now - timedelta(hours=h),
            )
            for p in policies
            for h in range(5)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def session_cookie() -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password("bench password not used over the wire")
    user.save()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def count_queries() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="bench"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/dashboards/").status_code == 200
    return len(ctx.captured_queries)


def measure(base: str, path: str, cookie: str, requests: int, clients: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()
    per_client = requests // clients

    def run() -> None:
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"sessionid={cookie}")]
        for _ in range(per_client):
            started = time.perf_counter()
            with opener.open(f"{base}{path}", timeout=30) as response:
                body = response.read()
                assert response.status == 200 and b"Services (" in body
            with lock:
                timings.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="portal.settings",
        LOG_LEVEL="WARNING",
    )
    ensure_database(database_url)
    import django

    django.setup()
    now = datetime.now(UTC)
    seed(args.services, args.days, now)
    cookie = session_cookie()
    queries = count_queries()

    from tests.conftest import gunicorn_server, subprocess_env

    runs = []
    for cache_seconds in (0, 5):
        env = subprocess_env(
            GUNICORN_ACCESS_LOG="",
            LOG_LEVEL="WARNING",
            DASHBOARDS_CACHE_SECONDS=str(cache_seconds),
        )
        with gunicorn_server(env, workers=args.workers) as base:
            for path in ("/dashboards/", "/dashboards/?partial=1"):
                for clients in (1, args.clients):
                    measure(base, path, cookie, clients * 5, clients)  # warm every worker up
                    timings = sorted(measure(base, path, cookie, args.requests, clients))
                    q = statistics.quantiles(timings, n=100, method="inclusive")
                    runs.append(
                        {
                            "cache_seconds": cache_seconds,
                            "path": path,
                            "clients": clients,
                            "requests": len(timings),
                            "p50_ms": round(q[49], 1),
                            "p95_ms": round(q[94], 1),
                            "p99_ms": round(q[98], 1),
                            "max_ms": round(timings[-1], 1),
                        }
                    )
                    print(json.dumps(runs[-1]))
    result = {
        "services": args.services,
        "days": args.days,
        "gunicorn_workers": args.workers,
        "queries_per_page": queries,
        "cores": os.cpu_count(),
        "at": now.isoformat(timespec="seconds"),
        "runs": runs,
    }
    out = ROOT / "var" / "benchmarks" / "overview.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
