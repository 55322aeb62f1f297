from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    verbose_name = "Services and monitoring"

    def ready(self) -> None:
        from apps.jobs.registry import register_export, register_retention
        from apps.monitoring import bootstrap, metrics  # noqa: F401 - registers hooks

        # Raw results are kept briefly; rollups carry the long history (see README).
        register_retention("probe_results", "monitoring.ProbeResult", "checked_at", 2)
        register_retention("pings", "monitoring.Ping", "received_at", 30)
        register_retention("rollups_hourly", "monitoring.HourlyRollup", "period_start", 35)
        register_retention("rollups_daily", "monitoring.DailyRollup", "period_start", 400)
        register_retention("state_changes", "monitoring.StateChange", "at", 400)
        register_export(
            "probe_results",
            model="monitoring.ProbeResult",
            date_field="checked_at",
            columns={
                "checked_at": "checked_at",
                "service": "monitor__service__slug",
                "monitor_id": "monitor_id",
                "monitor": "monitor__name",
                "ok": "ok",
                "latency_ms": "latency_ms",
                "status_code": "status_code",
                "error": "error",
            },
            permission="monitoring.view_monitor",
            service_field="monitor__service__slug",
            label="probe results",
        )
