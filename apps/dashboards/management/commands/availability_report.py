"""Print (as CSV) or email the monthly availability report."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.core.errors import PortalError
from apps.dashboards import availability


class Command(BaseCommand):
    help = "Write a month's availability report as CSV (last month by default), or --email it."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument(
            "--email", action="store_true", help="email it to REPORT_RECIPIENTS instead"
        )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        try:
            year, month = (
                availability.parse_month(options["month"])
                if options["month"]
                else availability.previous_month(now)
            )
            if options["email"]:
                sent = availability.email_report(now=now, year=year, month=month)
                if not sent:
                    raise CommandError("Not sent: set REPORT_RECIPIENTS to one or more addresses.")
                self.stdout.write(f"Sent the {year}-{month:02d} report.")
                return
            self.stdout.write(
                availability.to_csv(availability.build(year, month, now=now)), ending=""
            )
        except PortalError as exc:
            raise CommandError(exc.message) from exc
