"""JSON API resources of the routines app (mounted under /api/v1/ by apps.api.api)."""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from apps.api.auth import require_perm
from apps.api.pagination import LimitOffset
from apps.routines.deployments import in_period, record_deployment
from apps.routines.models import Deployment

router = Router(tags=["routines"])

Outcome = Literal["in_progress", "succeeded", "failed", "rolled_back"]


class DeploymentIn(Schema):
    service: str = Field(..., description="Slug of the service deployed.", min_length=1)
    version: str = Field(..., min_length=1, max_length=100)
    commit: str = Field("", max_length=64)
    environment: str = Field("", max_length=50, description="Defaults to the service's.")
    who: str = Field("", max_length=200, description="Person or pipeline.")
    started_at: datetime
    finished_at: datetime | None = None
    outcome: Outcome = "succeeded"
    url: str = Field("", max_length=200, description="The CI run or release page.")


class DeploymentOut(Schema):
    id: int
    service: str
    version: str
    commit: str
    environment: str
    who: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    url: str
    created_at: datetime

    @staticmethod
    def resolve_service(obj: Deployment) -> str:
        return obj.service.slug


@router.post("/deployments", response={201: DeploymentOut}, summary="Record a deploy event")
def create_deployment(request: HttpRequest, payload: DeploymentIn) -> Status:
    require_perm(request, "routines.add_deployment")
    row = record_deployment(**payload.dict(), created_by=request.user)
    return Status(201, row)


@router.get("/deployments", response=list[DeploymentOut], summary="Deploy events, newest first")
@paginate(LimitOffset)
def list_deployments(
    request: HttpRequest,
    service: str | None = None,
    environment: str | None = None,
    outcome: Outcome | None = None,
    version: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet:
    require_perm(request, "routines.view_deployment")
    rows = Deployment.objects.select_related("service").filter(in_period(since, until))
    if service:
        rows = rows.filter(service__slug=service)
    if environment:
        rows = rows.filter(environment=environment)
    if outcome:
        rows = rows.filter(outcome=outcome)
    if version:
        rows = rows.filter(version=version)
    return rows


@router.get("/deployments/{deployment_id}", response=DeploymentOut, summary="One deploy event")
def get_deployment(request: HttpRequest, deployment_id: int) -> Deployment:
    require_perm(request, "routines.view_deployment")
    return get_object_or_404(Deployment.objects.select_related("service"), pk=deployment_id)
