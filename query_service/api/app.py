"""The search API's FastAPI application, built by a factory (never at import)."""

from __future__ import annotations

from fastapi import FastAPI

from query_service.api import openapi, problems
from query_service.api.observed_store import ObservedSearch
from query_service.api.routers import conferences, health, speakers, talks
from query_service.read_store.port import TalkSearch


def create_api(store: TalkSearch) -> FastAPI:
    """The app over a given read store (tests pass their own)."""
    app = FastAPI(
        title="Conference Program - search API",
        version="1",
        description="Search read models of the conference programme (the query side).",
    )
    app.state.store = ObservedSearch(store)
    problems.install(app)
    openapi.install(app)
    for router in (talks.router, conferences.router, speakers.router, health.router):
        app.include_router(router)
    return app
