from django.urls import path

from apps.jobs import views

app_name = "jobs"

urlpatterns = [
    path("exports/download/<str:token>", views.export_download, name="export-download"),
]
