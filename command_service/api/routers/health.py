"""Liveness (the process answers) and readiness (the database is reachable and migrated)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from command_service.api.command_request import get_service
from command_service.api.openapi import NOT_READY
from command_service.bootstrap import CommandService
from service_conventions.problems import problem_response

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process is up")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready", summary="The service can take commands", response_model=None, responses=NOT_READY
)
def ready(
    request: Request, service: Annotated[CommandService, Depends(get_service)]
) -> JSONResponse | dict[str, str]:
    problem = service.readiness_problem()
    if problem is None:
        return {"status": "ready"}
    return problem_response(
        request,
        status=503,
        code="not-ready",
        title="The service is not ready",
        detail=problem,
        headers={"Retry-After": "1"},
    )
