from django.urls import path

from apps.monitoring import views

urlpatterns = [
    path("ping/<uuid:key>", views.ping, name="ping"),
    path("ping/<uuid:key>/<str:signal>", views.ping, name="ping-signal"),
]
