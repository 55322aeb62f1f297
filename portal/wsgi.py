"""WSGI entry point; `/health/live` is answered before Django (see apps.health.liveness)."""

import os

from django.core.wsgi import get_wsgi_application

from apps.health.liveness import with_liveness

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = with_liveness(get_wsgi_application())
