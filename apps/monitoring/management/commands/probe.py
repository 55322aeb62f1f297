"""`manage.py probe [--service SLUG]`: probe once in the foreground and print a table."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.monitoring.models import Monitor, Service
from apps.monitoring.probing import PROBED_KINDS, probe_now


class Command(BaseCommand):
    help = "Probe every probe monitor (or one service's) once now, store and print the results."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", metavar="SLUG", help="only this service's monitors")

    def handle(self, *args: object, service: str | None = None, **options: object) -> None:
        monitors = Monitor.objects.select_related("service").filter(kind__in=PROBED_KINDS)
        monitors = monitors.exclude(state=Monitor.State.PAUSED)
        if service:
            if not Service.objects.filter(slug=service).exists():
                raise CommandError(f"no service with the slug {service!r}")
            monitors = monitors.filter(service__slug=service)
        monitors = list(monitors)
        if not monitors:
            raise CommandError("nothing to probe: no active probe monitor matches")
        by_id = {m.id: m for m in monitors}
        outcomes = probe_now(monitors)
        rows = [("SERVICE", "MONITOR", "KIND", "RESULT", "MS", "STATUS", "ERROR")]
        for out in sorted(outcomes, key=lambda o: (by_id[o.monitor_id].service.slug, o.monitor_id)):
            m = by_id[out.monitor_id]
            rows.append((
                m.service.slug, str(m)[:40], m.kind, "ok" if out.ok else "FAIL",
                "" if out.latency_ms is None else str(out.latency_ms),
                "" if out.status_code is None else str(out.status_code),
                (out.error or out.detail)[:60],
            ))  # fmt: skip
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        failed = sum(1 for o in outcomes if not o.ok)
        self.stdout.write(f"{len(outcomes)} probed, {failed} failed")
