"""With DASHBOARDS_CACHE_SECONDS, viewers share the overview table for that long."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.dashboards.views import OVERVIEW_CACHE_KEY

from .conftest import make_service

pytestmark = pytest.mark.django_db


def test_the_table_is_computed_once_per_interval(viewer_client, settings) -> None:  # noqa: ANN001
    settings.DASHBOARDS_CACHE_SECONDS = 30
    cache.delete(OVERVIEW_CACHE_KEY)
    make_service("First")
    url = reverse("dashboards:overview") + "?partial=1"
    assert "First" in viewer_client.get(url).content.decode()
    make_service("Second")
    assert "Second" not in viewer_client.get(url).content.decode()  # shared, not recomputed
    settings.DASHBOARDS_CACHE_SECONDS = 0
    assert "Second" in viewer_client.get(url).content.decode()
    cache.delete(OVERVIEW_CACHE_KEY)
