from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "apps.incidents"
    verbose_name = "Incidents and alerting"

    def ready(self) -> None:
        from apps.incidents import metrics, receivers  # noqa: F401 (registers handlers)
        from apps.jobs.registry import register_retention

        register_retention(
            kind="notifications",
            model="incidents.NotificationDelivery",
            date_field="created_at",
            default_days=90,
        )
