from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "apps.routines"
    verbose_name = "Operator routines"

    def ready(self) -> None:
        from apps.jobs.registry import register_retention
        from apps.routines import receivers  # noqa: F401 (connects the incident hooks)

        register_retention(
            kind="checklist_occurrences",
            model="routines.Occurrence",
            date_field="period_end",
            default_days=365,
        )
