from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apps.jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from apps.jobs import exporting, metrics  # noqa: F401  (export kinds, metric source)
        from apps.jobs.registry import register_retention

        register_retention("job_runs", "jobs.JobRun", "started_at", default_days=90)
        register_retention("exports", "jobs.Export", "created_at", default_days=30)
        exporting.register_known_kinds()
