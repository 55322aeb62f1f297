"""`manage.py start_portal`: prepare, then run web, worker and beat until stopped.

This is what `make run` calls. It migrates, makes the first admin account, collects static
files, starts gunicorn, one Celery worker on every queue and Celery beat, prints where to log
in, and on Ctrl-C or SIGTERM stops all three (gracefully, then by force after a timeout).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.core.processes import stop_processes

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Command(BaseCommand):
    help = "Migrate, create the first admin, collect static files, then run web, worker and beat."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=25.0,
            help="seconds to wait for a graceful stop before killing (default 25)",
        )

    def handle(self, *args: object, stop_timeout: float, **options: object) -> None:
        self._stopping = False
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._request_stop)
        self.prepare()
        children = self.start_children()
        try:
            self.announce(children)
            failed = self.supervise(children)
        finally:
            self.stop_children(children, stop_timeout)
        if failed:
            raise CommandError(f"{failed} exited unexpectedly; the portal was stopped.")
        self.stdout.write("Operations Portal stopped.")

    def _request_stop(self, signum: int, frame: object) -> None:
        self._stopping = True

    def prepare(self) -> None:
        call_command("release", collectstatic=True, stdout=self.stdout)

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        metrics_dir = Path(settings.PROMETHEUS_MULTIPROC_DIR or settings.VAR_DIR / "prometheus")
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        return env

    def commands(self) -> dict[str, list[str]]:
        python = sys.executable
        worker = [
            python, "-m", "celery", "-A", "portal", "worker",
            "-Q", ",".join(settings.PORTAL_QUEUES),
            "-n", "worker@%h",
            "--concurrency", str(settings.WORKER_CONCURRENCY),
            "--loglevel", settings.LOG_LEVEL,
        ]  # fmt: skip
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            # The filesystem broker has no fan-out for worker-to-worker chatter.
            worker += ["--without-mingle", "--without-gossip"]
        return {
            "web": [
                python, "-m", "gunicorn",
                "-c", str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"),
                "portal.wsgi:application",
            ],
            "worker": worker,
            "beat": [
                python, "-m", "celery", "-A", "portal", "beat",
                "--loglevel", settings.LOG_LEVEL,
                "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }  # fmt: skip

    def start_children(self) -> dict[str, subprocess.Popen]:
        env = self.child_env()
        children = {}
        for name, command in self.commands().items():
            # Own session per child: Ctrl-C reaches only this supervisor, which then stops
            # each child gracefully (gunicorn and celery treat SIGINT as a quick exit).
            children[name] = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, start_new_session=True
            )
        return children

    def announce(self, children: dict[str, subprocess.Popen]) -> None:
        url = settings.PORTAL_URL
        deadline = time.monotonic() + 60
        ready = False
        while not self._stopping and time.monotonic() < deadline:
            if any(child.poll() is not None for child in children.values()):
                return
            try:
                with urllib.request.urlopen(f"{url}health/ready", timeout=2) as response:  # noqa: S310
                    ready = response.status == 200
            except OSError:
                ready = False
            if ready:
                break
            time.sleep(0.5)
        if any(child.poll() is not None for child in children.values()) or self._stopping:
            return
        if not ready:
            self.stderr.write(f"The portal is not ready after 60 s; see {url}health for why.")
        login = (
            "the password from PORTAL_ADMIN_PASSWORD"
            if settings.PORTAL_ADMIN_PASSWORD
            else "the password printed when the account was created"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nOperations Portal is running at {url}\n"
                f"  Log in at {url}admin/ as {settings.PORTAL_ADMIN_USERNAME!r} with {login}.\n"
                f"  Health: {url}health   Metrics: {url}metrics\n"
                "  Press Ctrl-C to stop web, worker and beat.\n"
            )
        )

    def supervise(self, children: dict[str, subprocess.Popen]) -> str | None:
        while not self._stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    return f"{name} (exit code {child.returncode})"
            time.sleep(0.5)
        return None

    def stop_children(self, children: dict[str, subprocess.Popen], timeout: float) -> None:
        self.stdout.write("Stopping web, worker and beat ...")
        # The whole group goes: gunicorn workers and the Celery pool with their parent.
        killed = stop_processes(children.values(), timeout)
        for name, child in children.items():
            if child in killed:
                self.stderr.write(f"{name} did not stop within {timeout:.0f} s; killed.")
