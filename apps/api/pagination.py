"""`?limit=&offset=` pagination shared by every list endpoint (limit capped at 500)."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class LimitOffset(PaginationBase):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="at most 500")
        offset: int = Field(0, ge=0, le=1_000_000_000)

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, **params: Any) -> dict:
        return {
            "items": queryset[pagination.offset : pagination.offset + pagination.limit],
            "count": queryset.count() if hasattr(queryset, "count") else len(queryset),
            "limit": pagination.limit,
            "offset": pagination.offset,
        }
