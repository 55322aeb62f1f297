"""Benchmark `/health/live` and `/health` against a bare WSGI app under the same gunicorn.

Runs `deploy/gunicorn.conf.py` twice with the same settings (worker count, timeouts, access
log): once serving `benchmarks/bare_wsgi.py`, once serving the portal on PostgreSQL and
Redis. wrk (Debian package `wrk`) runs as a separate process on loopback and measures
requests/s and p50/p95/p99. Prints a table and writes the numbers as JSON.

    .venv/bin/python benchmarks/health_endpoints.py [--duration 12] [--connections 10]

`DATABASE_URL` and `REDIS_URL` choose the services (default: a `portal_bench` database on the
local PostgreSQL and Redis database 15, as `make services` starts them). The database is
created and migrated when needed. Results go to `var/benchmarks/health_endpoints.json`.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.core.processes import stop_processes  # noqa: E402

GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# wrk's --latency table has no p95; this script reports every percentile as one JSON line.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, '
    .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def default_workers() -> int:
    return (os.cpu_count() or 1) * 2 + 1


def gunicorn_env(args: argparse.Namespace, port: int, metrics_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        BIND="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY=str(args.workers),
        # An access log line per request would measure the disk, not the app; same for both.
        GUNICORN_ACCESS_LOG="",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
        LOG_LEVEL="WARNING",
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def gunicorn(app: str, env: dict[str, str]) -> Iterator[str]:
    """Start gunicorn with the project's config serving `app`; yield its base URL."""
    log = tempfile.TemporaryFile()
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if fetch(f"{base}/health/live")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            log.seek(0)
            sys.exit(f"gunicorn serving {app} did not start:\n{log.read().decode()[-2000:]}")
        yield base
    finally:
        stop_processes([proc])


def run_wrk(url: str, args: argparse.Namespace, script: str) -> dict:
    """One wrk run (after a short warm-up) against `url`; the numbers as a dict."""
    base = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency", "-s", script]
    subprocess.run([*base, "-d2s", url], check=True, capture_output=True)
    out = subprocess.run(
        [*base, f"-d{args.duration}s", url], check=True, capture_output=True, text=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    numbers = json.loads(line.removeprefix("WRKJSON "))
    non_2xx = next((line for line in out.splitlines() if "Non-2xx" in line), "")
    numbers["non_2xx"] = int(non_2xx.rsplit(":", 1)[1]) if non_2xx else 0
    numbers["rps"] = round(numbers["requests"] / (numbers["duration_us"] / 1e6), 1)
    return numbers


def prepare_database(args: argparse.Namespace) -> None:
    """Create the benchmark database when missing and apply every migration."""
    import psycopg

    parts = urllib.parse.urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = gunicorn_env(args, 0, "")
    env.pop("PROMETHEUS_MULTIPROC_DIR")
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env
    )
    if migrate.returncode != 0:
        sys.exit(f"manage.py migrate failed on {name}; the portal must start before it is measured")


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "os": platform.platform(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "commit": _commit(),
    }


def _commit() -> str:
    """The checked-out commit, with `+changes` when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    except OSError:
        return "unknown"
    return f"{head}+changes" if dirty.stdout.strip() else head or "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def benchmark(args: argparse.Namespace, script: str) -> dict:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as metrics_dir:
        env = gunicorn_env(args, free_port(), metrics_dir)
        with gunicorn("benchmarks.bare_wsgi:application", env) as base:
            results["bare WSGI hello-world"] = run_wrk(f"{base}/health/live", args, script)
        env = gunicorn_env(args, free_port(), metrics_dir)
        with gunicorn("portal.wsgi:application", env) as base:
            status, body = fetch(f"{base}/health")
            if status != 200:
                sys.exit(f"/health answered {status} before the run: {body[:500]!r}")
            results["portal /health/live"] = run_wrk(f"{base}/health/live", args, script)
            results["portal /health"] = run_wrk(f"{base}/health", args, script)
            results["portal /health"]["report_status"] = json.loads(body)["status"]
    return results


def print_table(results: dict[str, dict]) -> None:
    bare = results["bare WSGI hello-world"]["rps"]
    print(f"{'target':<24} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7} {'vs bare':>8}")  # fmt: skip
    for name, r in results.items():
        ratio = r["rps"] / bare if bare else 0.0
        print(f"{name:<24} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['errors'] + r['non_2xx']:>7} {ratio:>8.1%}")  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=12, help="seconds per run (default 12)")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections (10)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--workers", type=int, default=default_workers(), help="gunicorn workers (2 x cores + 1)"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument(
        "--output", type=Path, default=ROOT / "var" / "benchmarks" / "health_endpoints.json"
    )
    args = parser.parse_args(argv)
    args.database_url = args.database_url or DEFAULT_DATABASE_URL
    args.redis_url = args.redis_url or DEFAULT_REDIS_URL
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("this benchmark measures /health on PostgreSQL: DATABASE_URL must be one")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    prepare_database(args)
    info = machine()
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        results = benchmark(args, script.name)
    print_table(results)
    bare = results["bare WSGI hello-world"]["rps"]
    summary = {
        "machine": info,
        "settings": {
            "gunicorn_config": "deploy/gunicorn.conf.py",
            "workers": args.workers,
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s --latency",
            "access_log": "off",
            "overrides": {k: v for k, v in os.environ.items() if k.startswith("GUNICORN_")},
            "database": "postgresql",
            "redis": True,
        },
        "results": results,
        "live_vs_bare": round(results["portal /health/live"]["rps"] / bare, 3),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
