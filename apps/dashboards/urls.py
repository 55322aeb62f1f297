from django.urls import path

from apps.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.overview_page, name="overview"),
    path("dashboards/services/<slug:slug>/", views.service_page, name="service"),
    path("dashboards/operations/", views.operations_page, name="operations"),
    path("dashboards/readiness/", views.readiness_page, name="readiness"),
    path("dashboards/reports/availability/", views.availability_page, name="availability"),
    path("dashboards/reports/availability.csv", views.availability_csv, name="availability-csv"),
    path("status/", views.status_page, name="status"),
]
