from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from apps.core.errors import PortalError
from apps.jobs.exporting import export_to_file
from apps.jobs.models import JobRun
from apps.jobs.registry import export_kinds
from apps.jobs.runs import run_job


def _moment(value: str, name: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None and parse_date(value) is not None:
        moment = datetime.combine(parse_date(value), datetime.min.time())
    if moment is None:
        raise CommandError(f"--{name} must be a date or date-time (ISO 8601), not {value!r}")
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "Export one kind of data for a period to CSV or JSON Lines (streamed, flat memory)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("kind", help=f"one of: {', '.join(export_kinds()) or 'none'}")
        parser.add_argument("--since", required=True, help="start (inclusive), ISO 8601, UTC")
        parser.add_argument("--until", required=True, help="end (exclusive), ISO 8601, UTC")
        parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument("--service", default="", help="only this service (slug)")

    def handle(self, *args, **opts) -> None:  # noqa: ANN002, ANN003
        since, until = _moment(opts["since"], "since"), _moment(opts["until"], "until")
        output = Path(opts["output"])
        bar = tqdm(desc=opts["kind"], unit="row", disable=None, file=self.stderr._out)

        def progress(done: int, total: int | None) -> None:
            bar.total = total
            bar.update(done - bar.n)

        params = {"kind": opts["kind"], "format": opts["format"], "output": str(output)}
        try:
            with run_job(
                JobRun.Kind.EXPORT,
                trigger=JobRun.Trigger.COMMAND,
                params=params,
                lock_key=f"export:file:{output.resolve()}",
            ) as run:
                rows = export_to_file(
                    opts["kind"],
                    since=since,
                    until=until,
                    fmt=opts["format"],
                    path=output,
                    service_slug=opts["service"],
                    progress=progress,
                )
                run.count("exported", rows)
                run.count("examined", rows)
        except PortalError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        self.stdout.write(f"exported {rows} {opts['kind']} rows to {output} ({opts['format']})")
