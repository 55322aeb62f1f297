"""Shared fixtures: free ports, subprocess servers and workers against the test database."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from apps.core.processes import stop_processes

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    return free_port()


def http_get(url: str, timeout: float = 5.0, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def shared_database_url() -> str:
    """URL of the database pytest-django made, for subprocesses that must share it."""
    if connection.vendor != "postgresql":
        pytest.skip("subprocess tests need PostgreSQL (make test sets DATABASE_URL)")
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def subprocess_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def stop_process(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    stop_processes([proc], timeout)


@contextmanager
def gunicorn_server(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """Run the project's gunicorn config with `env`; yields the base URL."""
    port = free_port()
    env = {**env, "BIND": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    env.setdefault("GUNICORN_ACCESS_LOG", "")
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "portal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _answers(f"{base}/health/live") or proc.poll() is not None,
            timeout=30,
            what="gunicorn to answer",
        )
        if proc.poll() is not None:
            log.seek(0)
            raise AssertionError(f"gunicorn exited at start:\n{log.read().decode()[-3000:]}")
        yield base
    finally:
        stop_process(proc)


def _answers(url: str) -> bool:
    try:
        return http_get(url, timeout=1)[0] == 200
    except OSError:
        return False


@contextmanager
def celery_process(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        stop_process(proc)


@contextmanager
def redis_server() -> Iterator[tuple[int, subprocess.Popen]]:
    """A private redis-server this test may stop and restart without harming others."""
    port = free_port()
    proc = _start_redis(port)
    try:
        yield port, proc
    finally:
        stop_process(proc)


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_until(lambda: _redis_up(port), timeout=10, what="redis-server")
    return proc


def _redis_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


start_redis = _start_redis


@pytest.fixture
def metrics_open(settings):  # noqa: ANN001, ANN201
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return settings


@pytest.fixture(autouse=True)
def _fresh_health_caches() -> None:
    from apps.health import checks, views

    checks._migrations_ok_until = 0.0
    views._report_cache["until"] = 0.0


CHROMIUM = "/usr/bin/chromium"
ARTIFACTS_ROOT = ROOT / "test-artifacts"


@pytest.fixture
def page():  # noqa: ANN201
    """Headless Debian Chromium; `page.errors` collects script errors and failed requests."""
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed (scripts/ensure-services.sh installs it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS_ROOT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        # CSP violations, script errors and failed requests land here; pages must have none.
        # (Chromium asks for /favicon.ico by itself; the portal has none.)
        tab.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith("Failed to load resource")
                and errors.append(m.text)
            ),
        )
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on(
            "response",
            lambda r: (
                r.status >= 400
                and not r.url.endswith("/favicon.ico")
                and errors.append(f"{r.status} {r.url}")
            ),
        )
        tab.errors = errors
        yield tab
        browser.close()
