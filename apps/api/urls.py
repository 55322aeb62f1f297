from django.db import transaction
from django.urls import URLPattern, path

from apps.api.api import api


def _atomic(pattern: URLPattern) -> URLPattern:
    # One transaction per API call: input rejected half-way (a 4xx after a write) leaves
    # nothing behind, and a database error cannot poison the connection for later calls.
    return URLPattern(
        pattern.pattern, transaction.atomic(pattern.callback), pattern.default_args, pattern.name
    )


# Not named app_name: include() would take a module-level app_name as this URLconf's own.
_patterns, _app, _namespace = api.urls
urlpatterns = [path("api/v1/", ([_atomic(p) for p in _patterns], _app, _namespace))]
