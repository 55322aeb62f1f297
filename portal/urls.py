"""Top-level URLs: the admin, health endpoints and metrics."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("apps.health.urls")),
    path("admin/", admin.site.urls),
]
