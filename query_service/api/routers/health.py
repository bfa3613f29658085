"""Liveness (the process answers) and readiness (the read store answers queries)."""

from __future__ import annotations

from fastapi import APIRouter

from query_service.api.dependencies import Store
from query_service.api.openapi import NOT_READY
from query_service.api.schemas import HealthOut

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", response_model=HealthOut)
def live() -> HealthOut:
    return HealthOut(status="ok")


@router.get("/ready", response_model=HealthOut, responses=NOT_READY)
def ready(store: Store) -> HealthOut:
    store.ping()
    return HealthOut(status="ready")
