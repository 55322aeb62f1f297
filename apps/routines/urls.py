from django.urls import path

from apps.routines import views

urlpatterns = [
    path("routines/runbooks/<slug:slug>/", views.runbook_page, name="routines-runbook"),
]
