"""Request and response shapes of the monitoring API (S10)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

Environment = Literal["production", "staging", "preview", "development"]
Kind = Literal["http", "tcp", "postgres", "redis", "heartbeat"]
Slug = Field(..., min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")


class Link(Schema):
    title: str = Field(..., max_length=200)
    url: str = Field(..., max_length=2000)


class ServiceIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    slug: str = Slug
    environment: Environment = "production"
    owner: str = Field("", max_length=200)
    description: str = ""
    tags: list[str] = Field(default_factory=list, description="tag names; unknown ones are created")
    depends_on: list[str] = Field(default_factory=list, description="slugs of other services")
    links: list[Link] = Field(default_factory=list)
    public: bool = False
    slo_target: Decimal = Field(Decimal("99.9"), ge=0, le=100, max_digits=6, decimal_places=3)


class ServicePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")
    environment: Environment | None = None
    owner: str | None = Field(None, max_length=200)
    description: str | None = None
    tags: list[str] | None = None
    depends_on: list[str] | None = None
    links: list[Link] | None = None
    public: bool | None = None
    slo_target: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=3)


class ServiceOut(Schema):
    id: int
    name: str
    slug: str
    environment: str
    owner: str
    description: str
    state: str
    state_changed_at: datetime | None
    tags: list[str]
    depends_on: list[str]
    links: list[dict]
    public: bool
    slo_target: Decimal
    uptime: dict[str, float | None] = Field(description="fraction UP over 24h and 30d")


class ServiceFilter(Schema):
    environment: Environment | None = None
    state: str | None = None
    tag: str | None = None
    q: str | None = Field(None, description="search in name, slug and owner")
    limit: int = Field(100, ge=1, le=500, description="at most 500")
    offset: int = Field(0, ge=0)


class ServicePage(Schema):
    items: list[ServiceOut]
    count: int
    limit: int
    offset: int


class MonitorBase(Schema):
    name: str = Field("", max_length=200)
    target: str = Field("", max_length=2000)
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    expected_status: int | None = Field(None, ge=100, le=599)
    keyword: str = Field("", max_length=200)
    json_path: str = Field("", max_length=200)
    json_value: str = Field("", max_length=200)
    interval_seconds: int = Field(60, ge=10, le=86400 * 7)
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    failures_before_down: int = Field(2, ge=1, le=100)
    successes_before_up: int = Field(1, ge=1, le=100)
    period_seconds: int = Field(86400, ge=10)
    cron: str = Field("", max_length=100)
    tz: str = Field("UTC", max_length=64)
    grace_seconds: int = Field(3600, ge=0)


class MonitorIn(MonitorBase):
    service: str = Field(..., description="slug of the service")
    kind: Kind = "http"


class MonitorPatch(Schema):
    service: str | None = None
    name: str | None = Field(None, max_length=200)
    target: str | None = Field(None, max_length=2000)
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] | None = None
    headers: dict[str, str] | None = None
    expected_status: int | None = Field(None, ge=100, le=599)
    keyword: str | None = Field(None, max_length=200)
    json_path: str | None = Field(None, max_length=200)
    json_value: str | None = Field(None, max_length=200)
    interval_seconds: int | None = Field(None, ge=10, le=86400 * 7)
    timeout_seconds: float | None = Field(None, gt=0, le=120)
    failures_before_down: int | None = Field(None, ge=1, le=100)
    successes_before_up: int | None = Field(None, ge=1, le=100)
    period_seconds: int | None = Field(None, ge=10)
    cron: str | None = Field(None, max_length=100)
    tz: str | None = Field(None, max_length=64)
    grace_seconds: int | None = Field(None, ge=0)
    paused: bool | None = Field(None, description="true pauses, false resumes")


class MonitorOut(MonitorBase):
    id: int
    service: str
    kind: str
    state: str
    state_changed_at: datetime | None
    last_checked_at: datetime | None
    last_latency_ms: int | None
    last_error: str
    next_due_at: datetime | None
    tls_expires_at: datetime | None
    last_ping_at: datetime | None
    last_run_seconds: float | None
    ping_url: str | None

    @staticmethod
    def resolve_service(monitor: Any) -> str:
        return monitor.service.slug


class MonitorFilter(Schema):
    service: str | None = Field(None, description="service slug")
    kind: Kind | None = None
    state: str | None = None


class ResultOut(Schema):
    checked_at: datetime
    ok: bool
    latency_ms: int | None
    status_code: int | None
    error: str


class ResultFilter(Schema):
    since: datetime | None = Field(None, description="only results at or after this time")
