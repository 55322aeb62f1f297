from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "apps.backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django_celery_beat.models import CrontabSchedule, PeriodicTask

        from apps.backups import metrics  # noqa: F401 - registers the gauges
        from apps.backups.schedule import adopt_beat_edits, adopt_crontab_edits

        # Schedules edited in django-celery-beat's admin flow back into their policies.
        post_save.connect(
            lambda instance, raw=False, **kw: raw or adopt_beat_edits(instance),
            sender=PeriodicTask,
            weak=False,
            dispatch_uid="backups-adopt-task",
        )
        post_save.connect(
            lambda instance, raw=False, **kw: raw or adopt_crontab_edits(instance),
            sender=CrontabSchedule,
            weak=False,
            dispatch_uid="backups-adopt-crontab",
        )
        from apps.jobs.registry import register_export, register_retention

        # Only settled runs (failed, or file removed by backup retention) have a date here,
        # so the jobs app never deletes the row of a backup that is still kept.
        register_retention("backup_runs", "backups.BackupRun", "settled_at", 365)
        register_retention("restore_checks", "backups.RestoreCheck", "finished_at", 365)
        register_export(
            "backup_runs",
            model="backups.BackupRun",
            date_field="created_at",
            columns={
                "id": "id",
                "policy": "policy__name",
                "service": "policy__service__slug",
                "status": "status",
                "trigger": "trigger",
                "started_at": "started_at",
                "finished_at": "finished_at",
                "size_bytes": "size_bytes",
                "database_bytes": "database_bytes",
                "sha256": "sha256",
                "server_version": "server_version",
                "tool_version": "tool_version",
                "error": "error",
            },
            permission="backups.view_backuprun",
            service_field="policy__service__slug",
            label="backup runs",
        )
