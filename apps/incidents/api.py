"""JSON API resources of the incidents app (mounted under /api/v1/ by apps.api.api)."""

from ninja import Router

router = Router(tags=["incidents"])
