"""Fault scripts for the web tier (results in RELIABILITY.md).

    python benchmarks/faults/web_faults.py reload     # gunicorn HUP twice under constant load
    python benchmarks/faults/web_faults.py stop       # gunicorn TERM under constant load
    python benchmarks/faults/web_faults.py postgres   # PostgreSQL restarted under the portal
    python benchmarks/faults/web_faults.py redis      # Redis stopped for 60 s under the portal

Each runs on a private PostgreSQL cluster (never the shared one) and exits non-zero when the
invariant breaks.
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.faults.common import (  # noqa: E402
    PrivatePostgres,
    PrivateRedis,
    constant_rate,
    free_port,
    get,
    gunicorn_args,
    manage,
    portal_env,
    process,
    wait_for,
)


def _start(pg: PrivatePostgres, var: Path, **extra: str):
    port = free_port()
    env = portal_env(
        pg.url, None, var, PORT=str(port), WEB_CONCURRENCY="3", GUNICORN_ACCESS_LOG="", **extra
    )
    manage(env, "migrate", "--noinput")
    return env, f"http://127.0.0.1:{port}"


def reload_under_load(rate: float, seconds: float) -> bool:
    pg = PrivatePostgres().init()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env, base = _start(pg, Path(tmp))
            with process(env, *gunicorn_args()) as web:
                wait_for(lambda: get(f"{base}/health/live") == 200, 30, "gunicorn")
                for at in (seconds * 0.25, seconds * 0.6):
                    threading.Timer(at, os.kill, (web.pid, signal.SIGHUP)).start()
                result, _ = constant_rate(f"{base}/health/ready", rate, seconds)
        print(f"reload (HUP x2) at {rate:.0f} req/s for {seconds:.0f} s: {result.summary()}")
        for when, error in result.failures[:10]:
            print(f"  failed at {when:.2f} s: {error}")
        return not result.failures
    finally:
        pg.destroy()


def stop_under_load(rate: float, seconds: float) -> bool:
    pg = PrivatePostgres().init()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env, base = _start(pg, Path(tmp))
            with process(env, *gunicorn_args()) as web:
                wait_for(lambda: get(f"{base}/health/live") == 200, 30, "gunicorn")
                term_at = seconds / 2
                threading.Timer(term_at, os.kill, (web.pid, signal.SIGTERM)).start()
                result, _ = constant_rate(f"{base}/health", rate, seconds)
                web.wait(40)
        before = [f for f in result.failures if f[0] < term_at - 0.05]
        after = len(result.failures) - len(before)
        print(
            f"stop (TERM at {term_at:.1f} s) at {rate:.0f} req/s: {result.summary()}; "
            f"failed before TERM: {len(before)}, refused after TERM (expected): {after}; "
            f"exit code {web.returncode}"
        )
        return not before and web.returncode == 0
    finally:
        pg.destroy()


def postgres_restart(rate: float, seconds: float) -> bool:
    pg = PrivatePostgres().init()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env, base = _start(pg, Path(tmp), HEALTH_CACHE_SECONDS="0", HEARTBEAT_INTERVAL="2")
            worker_args = ["-m", "celery", "-A", "portal", "worker", "-c", "1", "-n", "fault@%h"]
            with process(env, *gunicorn_args()), process(env, *worker_args):
                wait_for(lambda: get(f"{base}/health/ready") == 200, 30, "readiness")
                window: dict[str, float] = {}

                def restart() -> None:
                    window["down"] = time.monotonic()
                    pg.restart()
                    window["up"] = time.monotonic()

                threading.Timer(seconds / 3, restart).start()
                result, start = constant_rate(f"{base}/health/ready", rate, seconds)
                up = window["up"] - start
                late = [f for f in result.failures if f[0] > up + 1.0]
                with __import__("urllib.request").request.urlopen(f"{base}/health") as r:
                    report = json.loads(r.read())
        print(
            f"postgres restart (down {window['down'] - start:.1f}-{up:.1f} s) at {rate:.0f} "
            f"req/s: {result.summary()}; failures more than 1 s after it was back: {len(late)}; "
            f"workers after: {report['components']['workers'].get('count', 0)}"
        )
        return not late and report["components"]["database"]["ok"]
    finally:
        pg.destroy()


def _pipeline_last(env: dict[str, str]) -> str:
    code = (
        "from apps.health.models import ProcessHeartbeat as H;"
        "r=H.objects.filter(kind='pipeline').first();print(r.last_seen.isoformat() if r else '')"
    )
    import subprocess

    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def redis_outage(rate: float, seconds: float) -> bool:
    """Redis (broker and cache) stopped for `seconds`: pages still served, readiness says
    so, and scheduled tasks resume by themselves once it is back."""
    pg, rd = PrivatePostgres().init(), PrivateRedis().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env, base = _start(pg, Path(tmp), HEALTH_CACHE_SECONDS="0")
            env["REDIS_URL"] = rd.url
            every_5s = (
                "from django_celery_beat.models import IntervalSchedule as I, PeriodicTask as P;"
                "i,_=I.objects.get_or_create(every=5, period='seconds');"
                "P.objects.update_or_create(name='fault tick', defaults=dict("
                "task='apps.health.tasks.pipeline_tick', interval=i, queue='maintenance'))"
            )
            manage(env, "shell", "-c", every_5s)
            worker = ["-m", "celery", "-A", "portal", "worker", "-c", "1", "-n", "fault@%h"]
            beat = ["-m", "celery", "-A", "portal", "beat", "-s", str(Path(tmp) / "beat")]
            with process(env, *gunicorn_args()), process(env, *worker), process(env, *beat):
                wait_for(lambda: _pipeline_last(env) != "", 90, "the first scheduled tick")
                rd.stop()
                down_at = time.time()
                result, _ = constant_rate(f"{base}/admin/login/", rate, min(seconds, 20))
                ready_during = get(f"{base}/health/ready")
                time.sleep(max(0.0, seconds - (time.time() - down_at)))
                rd.start()  # same port: clients reconnect by themselves
                up_at = time.time()
                before = _pipeline_last(env)
                wait_for(lambda: _pipeline_last(env) > before, 120, "a tick after Redis returned")
                resumed = time.time() - up_at
                ready_after = get(f"{base}/health/ready")
        print(
            f"redis stopped {seconds:.0f} s: login page during outage: {result.summary()}; "
            f"/health/ready during: {ready_during}, after: {ready_after}; "
            f"scheduled tasks resumed {resumed:.1f} s after Redis returned"
        )
        return not result.failures and ready_during == 503 and ready_after == 200
    finally:
        rd.stop()
        pg.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("fault", choices=["reload", "stop", "postgres", "redis"])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    run = {
        "reload": reload_under_load,
        "stop": stop_under_load,
        "postgres": postgres_restart,
        "redis": redis_outage,
    }
    ok = run[args.fault](args.rate, args.seconds)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
