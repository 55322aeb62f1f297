"""The dashboards store nothing: this model only carries their permissions."""

from django.db import models


class Dashboard(models.Model):
    """Holds the permissions the dashboard pages check; its table stays empty.

    A real (empty) table rather than an unmanaged model, so code that walks every model's
    table (row counts, fuzz tests, exports) needs no exception for it.
    """

    class Meta:
        default_permissions = ()
        permissions = [
            ("view_dashboards", "Can view the overview, service and report pages"),
            ("view_operations", "Can view the operations page and readiness checklist"),
        ]

    def __str__(self) -> str:
        return "dashboards"
