from django.urls import path

from apps.health import metrics, views

urlpatterns = [
    path("health", views.health, name="health"),
    path("health/ready", views.ready, name="health-ready"),
    path("health/live", views.live, name="health-live"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
