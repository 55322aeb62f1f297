"""`manage.py healthcheck [URL]`: exit 0 when the portal is healthy, 1 when not."""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from apps.health import checks


class Command(BaseCommand):
    help = (
        "Check the portal's health and exit 0 when healthy, 1 when not. Without URL the checks "
        "run in this process; with URL (e.g. http://127.0.0.1:8000) its /health is fetched."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("url", nargs="?", help="base URL of a running portal, or a health URL")
        parser.add_argument("--ready", action="store_true", help="check readiness only")
        parser.add_argument(
            "--strict", action="store_true", help="count 'degraded' as unhealthy too"
        )
        parser.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")

    def handle(
        self, *args, url: str | None, ready: bool, strict: bool, timeout: float, **kw
    ) -> None:
        path = "/health/ready" if ready else "/health"
        if url:
            status, report = self._fetch(url, path, timeout)
        else:
            if ready:
                components = checks.readiness()
                report = {
                    "status": checks.summarize(components),
                    "components": {c.name: c.as_dict() for c in components},
                }
            else:
                report = checks.full_report()
            status = 503 if report["status"] == "fail" else 200
        state = report.get("status", "unknown")
        failing = {
            name: detail.get("error", "failed")
            for name, detail in report.get("components", {}).items()
            if not detail.get("ok", False)
        }
        for name, error in failing.items():
            self.stderr.write(f"{name}: {error}")
        healthy = status == 200 and (state == "ok" or (state == "degraded" and not strict))
        if not healthy:
            raise CommandError(f"unhealthy: status {state} (HTTP {status})", returncode=1)
        self.stdout.write(f"healthy: status {state}")

    def _fetch(self, url: str, path: str, timeout: float) -> tuple[int, dict]:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https"):
            raise CommandError(
                f"URL must start with http:// or https://, not {url!r}", returncode=1
            )
        if parsed.path in ("", "/"):
            url = url.rstrip("/") + path
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"{}")
            except ValueError:
                return exc.code, {"status": "fail"}
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise CommandError(f"unhealthy: cannot reach {url}: {exc}", returncode=1) from exc
