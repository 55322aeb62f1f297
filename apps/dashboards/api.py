"""JSON API resources of the dashboards app (mounted under /api/v1/ by apps.api.api)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from apps.api.auth import require_perm
from apps.dashboards.readiness import checklist

router = Router(tags=["dashboards"])


class ReadinessItemOut(Schema):
    key: str
    title: str
    ok: bool
    detail: str
    fix: str
    fix_url: str


class ReadinessOut(Schema):
    ready: bool
    failing: list[str]
    items: list[ReadinessItemOut]


@router.get("/readiness", response=ReadinessOut, summary="The production-readiness checklist")
def readiness(request: HttpRequest) -> dict:
    """Every item computed now, as on the readiness page and `manage.py readiness`."""
    require_perm(request, "dashboards.view_operations")
    items = checklist(now=timezone.now())
    return {
        "ready": all(item.ok for item in items),
        "failing": [item.key for item in items if not item.ok],
        "items": [item.__dict__ for item in items],
    }
