"""Benchmark heartbeat ping intake: `GET /ping/<uuid>` through gunicorn on PostgreSQL.

Creates heartbeat monitors in a benchmark database, runs the project's gunicorn config and
wrk (Debian package `wrk`) on loopback, each request pinging a random monitor. Afterwards it
checks durability: every 2xx answer must have its Ping row committed in PostgreSQL.

    .venv/bin/python benchmarks/pings.py [--duration 20] [--connections 32] [--workers 5]

`DATABASE_URL` (default a `portal_bench_pings` database, created and migrated when missing)
and `REDIS_URL` (default Redis database 15) choose the services. The per-address rate limit
is switched off (`RATELIMIT_PING=0`): every wrk request comes from 127.0.0.1. Results go to
`var/benchmarks/pings.json`.
"""

import argparse
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health_endpoints import (  # noqa: E402
    ROOT,
    WRK_REPORT,
    free_port,
    gunicorn,
    gunicorn_env,
    machine,
    prepare_database,
    run_wrk,
)

WRK_PINGS = """
keys = {%s}
request = function()
  return wrk.format("GET", "/ping/" .. keys[math.random(#keys)])
end
"""


def create_monitors(database_url: str, count: int) -> tuple[list[str], callable]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from apps.monitoring.models import Monitor, Ping, Service

    service, _ = Service.objects.get_or_create(slug="bench-pings", defaults={"name": "bench"})
    have = list(service.monitors.values_list("ping_key", flat=True))
    Monitor.objects.bulk_create(
        Monitor(service=service, kind="heartbeat", period_seconds=3600, ping_key=uuid.uuid4())
        for _ in range(max(0, count - len(have)))
    )
    # Steady state: the monitors are UP already, as they are once their jobs have pinged.
    service.monitors.update(state="up")
    keys = [str(k) for k in service.monitors.values_list("ping_key", flat=True)[:count]]
    return keys, lambda: Ping.objects.filter(monitor__service=service).count()


def web_cpu_seconds() -> float:
    """CPU seconds used so far by every gunicorn process serving the portal."""
    import psutil

    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "gunicorn" in cmdline and "portal.wsgi" in cmdline:
            times = proc.info["cpu_times"]
            total += times.user + times.system
    return total


def backend_cpu_seconds(database_url: str, application_name: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `application_name` (same host only)."""
    import psutil
    import psycopg

    with psycopg.connect(database_url) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
            )
        ]
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--monitors", type=int, default=1000)
    parser.add_argument(
        "--no-pool",
        action="store_true",
        help="persistent connections (DB_POOL=false) instead of the pool, which checks each "
        "connection with an extra round trip when a request takes it",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_pings"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    args = parser.parse_args()
    prepare_database(args)
    keys, count_pings = create_monitors(args.database_url, args.monitors)
    before = count_pings()
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "pings.lua"
        script.write_text(WRK_PINGS % ", ".join(f'"{k}"' for k in keys) + WRK_REPORT)
        env = gunicorn_env(args, free_port(), tmp + "/metrics")
        env.update(RATELIMIT_PING="0", DEBUG="false")
        if args.no_pool:
            env.update(DB_POOL="false", DB_CONN_MAX_AGE="600")
        env["DB_APPLICATION_NAME"] = "bench-pings"
        with gunicorn("portal.wsgi:application", env) as base:
            web_before = web_cpu_seconds()
            numbers = run_wrk(f"{base}/", args, str(script))
            web = web_cpu_seconds() - web_before
            database = backend_cpu_seconds(args.database_url, "bench-pings")
    stored = count_pings() - before
    answered_2xx = numbers["requests"] - numbers["non_2xx"]
    # Warm-up and measured run both stored pings; CPU covers both, so divide by all stored.
    numbers["cpu_ms_per_ping_web"] = round(web * 1000 / max(stored, 1), 3)
    numbers["cpu_ms_per_ping_postgres"] = round(database * 1000 / max(stored, 1), 3)
    numbers.update(stored_pings=stored, answered_2xx=answered_2xx, monitors=len(keys))
    result = {
        "machine": machine(),
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "db_pool": not args.no_pool,
        "pings": numbers,
    }
    out = ROOT / "var" / "benchmarks" / f"pings{'-no-pool' if args.no_pool else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    # The warm-up run's pings are stored too, so stored >= answered (never fewer).
    if stored < answered_2xx:
        sys.exit(f"durability check failed: {answered_2xx} answered 2xx, {stored} stored")


if __name__ == "__main__":
    main()
