"""WSGI entry point.

Two hot paths are answered before Django's middleware: `/health/live` (apps.health.liveness,
no I/O at all) and heartbeat pings (apps.monitoring.fastping, one SQL statement). Everything
else is Django.
"""

import os

from django.core.wsgi import get_wsgi_application

from apps.health.liveness import with_liveness

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

django_application = get_wsgi_application()

from apps.monitoring.fastping import with_fast_pings  # noqa: E402  (needs Django set up)

application = with_liveness(with_fast_pings(django_application))
