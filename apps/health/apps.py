from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "apps.health"
    verbose_name = "Portal health"

    def ready(self) -> None:
        from apps.health import heartbeats  # noqa: F401  (connects the worker signals)
