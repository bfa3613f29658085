"""The search API's FastAPI application, built by a factory (never at import)."""

from __future__ import annotations

from fastapi import FastAPI

from query_service.api import authentication, problems
from query_service.api.observed_store import ObservedSearch
from query_service.api.routers import conferences, health, speakers, talks
from query_service.read_store.port import TalkSearch
from service_conventions.auth.settings import AuthSettings


def create_api(store: TalkSearch, *, tokens: AuthSettings | None = None) -> FastAPI:
    """The app over a given read store (tests pass their own); with ``tokens`` every
    search endpoint needs a bearer token those settings verify."""
    app = FastAPI(
        title="Conference Program - search API",
        version="1",
        description="Search read models of the conference programme (the query side).",
    )
    app.state.store = ObservedSearch(store)
    problems.install(app)
    search = authentication.required(app, tokens) if tokens is not None else []
    for router in (talks.router, conferences.router, speakers.router):
        app.include_router(router, dependencies=search)
    app.include_router(health.router)
    return app
