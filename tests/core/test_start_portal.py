"""`make run`'s command end to end on the embedded default: SQLite and the filesystem broker."""

import json
import signal
import subprocess
import sys
import threading

import psutil

from tests.conftest import ROOT, free_port, http_get, subprocess_env, wait_until


def test_start_portal_runs_everything_and_stops_cleanly(tmp_path):
    port = free_port()
    env = subprocess_env(
        DATABASE_URL=None,
        REDIS_URL=None,
        CELERY_BROKER_URL=None,
        PROMETHEUS_MULTIPROC_DIR=None,
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
        HEARTBEAT_INTERVAL="2",
        WEB_CONCURRENCY="2",
        PORTAL_ADMIN_PASSWORD="correct-horse-battery",
        GUNICORN_ACCESS_LOG="",
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "start_portal"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: any("is running at" in ln for ln in lines) or proc.poll() is not None,
            timeout=240,
            what="the portal to announce itself",
        )
        assert proc.poll() is None, "".join(lines)
        output = "".join(lines)
        assert f"{base}/admin/" in output
        assert "Created admin account 'admin'" in output
        assert http_get(f"{base}/health/ready")[0] == 200
        status, page = http_get(f"{base}/admin/login/")
        assert status == 200 and b"Username" in page

        def everything_up():
            status, body = http_get(f"{base}/health")
            report = json.loads(body)
            return report if report["status"] == "ok" else None

        report = wait_until(everything_up, timeout=90, what="workers, beat and pipeline")
        assert report["components"]["database"]["vendor"] == "sqlite"
        assert report["components"]["broker"]["transport"] == "filesystem"
        assert report["components"]["workers"]["count"] == 1
        assert report["components"]["pipeline"]["ok"] is True  # beat -> broker -> worker
        family = psutil.Process(proc.pid).children(recursive=True)
        assert len(family) >= 6  # gunicorn master + 2 workers, celery worker + pool, beat
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(35)
    reader.join(5)
    assert proc.returncode == 0, "".join(lines)
    assert "Operations Portal stopped." in "".join(lines)
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert (tmp_path / "var" / "portal.sqlite3").exists()
