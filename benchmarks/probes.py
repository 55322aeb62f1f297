"""Benchmark probing: N HTTP monitors at a fixed interval against a fast local target.

Starts a private Redis (broker), the fast target (benchmarks/probes_target.py), one Celery
worker on the `probes` queue, Celery beat (the dispatcher runs every 5 s) and gunicorn, all
on this machine, then measures for `--duration` seconds:

- scheduling lag: every second, how overdue the most overdue monitor is (p50/p95/max), and
  per stored result, probe time minus its due time (monitors are spread evenly over the
  interval and keep their phase, so each due time is known);
- probes per second and CPU milliseconds per probe of the worker, beat, PostgreSQL backends
  and Redis together (the target's CPU is reported on its own);
- p95 of the admin services list page and `GET /api/v1/monitors` while the probes run.

    .venv/bin/python benchmarks/probes.py --monitors 10000 --duration 120

`DATABASE_URL` defaults to a `portal_bench_probes` database (created and migrated). Results go
to `var/benchmarks/probes-<monitors>.json`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health_endpoints import ROOT, free_port, gunicorn, machine, prepare_database  # noqa: E402

APP_NAME = "bench-probes"


def cpu_seconds(pids: list[int], children: bool = True) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *(proc.children(recursive=True) if children else [])]
        except psutil.Error:
            continue
        for p in procs:
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system
    return total


def backend_pids(database_url: str) -> list[int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
        ).fetchall()
    return [r[0] for r in rows]


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_fleet(count: int, interval: int, url: str, start: datetime) -> dict[int, datetime]:
    from apps.monitoring.models import Monitor, ProbeResult, Service

    Service.objects.filter(slug__startswith="bench-fleet").delete()
    ProbeResult.objects.all().delete()
    services = Service.objects.bulk_create(
        Service(name=f"bench fleet {i}", slug=f"bench-fleet-{i}")
        for i in range(max(1, count // 100))
    )
    step = interval / count
    monitors = [
        Monitor(
            service=services[i % len(services)],
            target=url,
            interval_seconds=interval,
            timeout_seconds=5,
            failures_before_down=2,
            state="up",
            next_due_at=start + timedelta(seconds=i * step),
        )  # fmt: skip
        for i in range(count)
    ]
    created = Monitor.objects.bulk_create(monitors, batch_size=2000)
    return {m.id: m.next_due_at for m in created}


def web_tokens() -> tuple[str, str]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from apps.api.models import ApiToken

    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key, ApiToken.issue(user, "bench")[1]


def sample_web(base: str, session: str, token: str, stop: threading.Event, out: dict) -> None:
    admin = (f"{base}/admin/monitoring/service/", {"Cookie": f"sessionid={session}"})
    api = (f"{base}/api/v1/monitors?limit=100", {"Authorization": f"Bearer {token}"})
    targets = {"admin services list": admin, "GET /api/v1/monitors": api}
    while not stop.is_set():
        for name, (url, headers) in targets.items():
            began = time.perf_counter()
            request = urllib.request.Request(url, headers={**headers, "Host": "127.0.0.1"})  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            out.setdefault(name, []).append(((time.perf_counter() - began) * 1000, ok))
        stop.wait(0.5)


def overdue_seconds() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM now() - min(next_due_at)) FROM monitoring_monitor "
            "WHERE kind <> 'heartbeat' AND state <> 'paused'"
        )
        value = cursor.fetchone()[0]
    return max(0.0, float(value or 0))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--duration", type=int, default=120)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--worker-processes", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_probes"
        ),
    )
    args = parser.parse_args()
    redis_port, target_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    args.redis_url = redis_url
    args.workers = args.web_workers
    procs: list[subprocess.Popen] = []
    devnull = subprocess.DEVNULL
    try:
        procs.append(subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=devnull,
        ))  # fmt: skip
        procs.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "benchmarks" / "probes_target.py"), str(target_port)]
            )
        )
        prepare_database(args)
        setup_django(args.database_url, redis_url)
        start = datetime.now(UTC) + timedelta(seconds=10)
        phases = create_fleet(
            args.monitors, args.interval, f"http://127.0.0.1:{target_port}/", start
        )
        session, token = web_tokens()
        env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": redis_url,
               "DJANGO_SETTINGS_MODULE": "portal.settings", "LOG_LEVEL": "WARNING",
               "DB_APPLICATION_NAME": APP_NAME, "DEBUG": "false", "RATELIMIT_API": "0",
               "MONITORING_SELF_MONITOR": "false"}  # fmt: skip
        celery = [sys.executable, "-m", "celery", "-A", "portal"]
        worker = subprocess.Popen(
            [*celery, "worker", "-Q", "probes", "-c", str(args.worker_processes),
             "--without-gossip", "--without-mingle", "-l", "WARNING"],
            cwd=ROOT, env=env, stdout=devnull, stderr=devnull,
        )  # fmt: skip
        procs.append(worker)
        with tempfile.TemporaryDirectory() as tmp:
            beat = subprocess.Popen(
                [*celery, "beat", "-l", "WARNING", "-s", f"{tmp}/beat"],
                cwd=ROOT, env=env, stdout=devnull, stderr=devnull,
            )  # fmt: skip
            procs.append(beat)
            web_env = {
                **env,
                "BIND": "127.0.0.1",
                "PORT": str(free_port()),
                "WEB_CONCURRENCY": str(args.web_workers),
                "GUNICORN_ACCESS_LOG": "",
            }
            with gunicorn("portal.wsgi:application", web_env) as base:
                run(
                    args, phases, worker, beat, redis_port, target_port, base, session, token, procs
                )
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def run(args, phases, worker, beat, redis_port, target_port, base, session, token, procs):  # noqa: ANN001, ANN201, E501
    import psutil

    from apps.monitoring.models import ProbeResult

    time.sleep(10 + args.warmup)
    redis_pid, target_pid = procs[0].pid, procs[1].pid
    ours_pids = [worker.pid, beat.pid, redis_pid]
    db_before = cpu_seconds(backend_pids(args.database_url), children=False)
    ours_before, target_before = cpu_seconds(ours_pids), cpu_seconds([target_pid])
    total_before = sum(psutil.cpu_times()[:3])
    began = datetime.now(UTC)
    stop, web = threading.Event(), {}
    sampler = threading.Thread(target=sample_web, args=(base, session, token, stop, web))
    sampler.start()
    overdue = []
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        overdue.append(overdue_seconds())
        time.sleep(1)
    stop.set()
    sampler.join()
    ended = datetime.now(UTC)
    ours = cpu_seconds(ours_pids) - ours_before
    database = cpu_seconds(backend_pids(args.database_url), children=False) - db_before
    target = cpu_seconds([target_pid]) - target_before
    machine_cpu = sum(psutil.cpu_times()[:3]) - total_before
    rows = list(
        ProbeResult.objects.filter(checked_at__gte=began, checked_at__lt=ended).values_list(
            "monitor_id", "checked_at", "ok"
        )
    )
    lags = []
    for monitor_id, checked_at, _ok in rows:
        offset = (checked_at - phases[monitor_id]).total_seconds() % args.interval
        lags.append(offset)
    probes = len(rows)
    seconds = (ended - began).total_seconds()
    result = {
        "machine": machine(),
        "monitors": args.monitors,
        "interval_s": args.interval,
        "measured_s": round(seconds),
        "worker_processes": args.worker_processes,
        "probes": probes,
        "probes_per_s": round(probes / seconds, 1),
        "expected_per_s": round(args.monitors / args.interval, 1),
        "failed": sum(1 for r in rows if not r[2]),
        "lag_result_s": {"p50": pct(lags, 0.5), "p95": pct(lags, 0.95), "max": pct(lags, 1.0)},
        "most_overdue_s": {
            "p50": pct(overdue, 0.5),
            "p95": pct(overdue, 0.95),
            "max": pct(overdue, 1.0),
        },
        "cpu_ms_per_probe": {
            "worker+beat+redis": round(ours * 1000 / max(probes, 1), 3),
            "postgres backends": round(database * 1000 / max(probes, 1), 3),
            "target (not ours)": round(target * 1000 / max(probes, 1), 3),
        },
        "machine_cpu_busy_percent": round(100 * machine_cpu / (seconds * (os.cpu_count() or 1)), 1),
        "web_ms": {
            name: {
                "p50": pct([ms for ms, _ in v], 0.5),
                "p95": pct([ms for ms, _ in v], 0.95),
                "errors": sum(1 for _, ok in v if not ok),
                "n": len(v),
            }
            for name, v in web.items()
        },  # fmt: skip
    }
    out = ROOT / "var" / "benchmarks" / f"probes-{args.monitors}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
