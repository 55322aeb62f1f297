"""Top-level URLs: the admin, health endpoints and metrics."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("apps.health.urls")),
    path("", include("apps.api.urls")),
    path("", include("apps.monitoring.urls")),
    path("", include("apps.incidents.urls")),
    path("", include("apps.backups.urls")),
    path("", include("apps.jobs.urls")),
    path("", include("apps.audit.urls")),
    path("", include("apps.routines.urls")),
    path("", include("apps.dashboards.urls")),
    path("admin/", admin.site.urls),
]

# Permission failures are written to the audit log (S9, OWASP ASVS 16.3).
handler403 = "apps.audit.views.permission_denied"
