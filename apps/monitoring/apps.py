from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    verbose_name = "Services and monitoring"
