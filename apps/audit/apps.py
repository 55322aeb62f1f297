from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from apps.audit import signals
        from apps.jobs.registry import register_export, register_retention

        signals.connect_admin_models()
        register_retention("audit_log", "audit.AuditEntry", "at", default_days=90)
        register_export(
            "audit_log",
            model="audit.AuditEntry",
            date_field="at",
            columns={
                "id": "id",
                "at": "at",
                "actor": "actor_name",
                "action": "action",
                "target_type": "target_type",
                "target_id": "target_id",
                "target": "target_repr",
                "detail": "detail",
                "ip": "ip",
            },
            json_columns=("detail",),
            permission="audit.view_auditentry",
            label="audit log",
        )
