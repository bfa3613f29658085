"""The search API's FastAPI application, built by a factory (never at import), with the
programme pages (``query_service/web``) over the same read store."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from query_service.api import authentication, openapi, problems
from query_service.api.cursor_signing import CursorSigner
from query_service.api.observed_store import ObservedSearch
from query_service.api.read_your_writes import read_your_writes
from query_service.api.routers import conferences, health, speakers, talks
from query_service.api.version_watcher import VersionWatcher
from query_service.read_store.port import TalkSearch
from query_service.web import install as web
from service_conventions.api_docs import serve_docs_locally
from service_conventions.auth.settings import AuthSettings
from service_conventions.consistency.token import ConsistencyTokens
from service_conventions.http_edge import install_http_edge
from service_conventions.metrics.serving import install_metrics


def create_api(
    store: TalkSearch,
    *,
    tokens: AuthSettings | None = None,
    cursors: CursorSigner | None = None,
    consistency: ConsistencyTokens | None = None,
    cors_allow_origins: tuple[str, ...] = (),
) -> FastAPI:
    """The app over a given read store (tests pass their own); with ``tokens`` every
    search endpoint needs a bearer token those settings verify; without a ``cursors``
    signer, cursors are signed with a key of this process alone; without ``consistency``,
    only Consistency-Token headers signed by a key of this process alone would open."""
    app = FastAPI(
        title="Conference Program - search API",
        version="1",
        description="Search read models of the conference programme (the query side).",
    )
    app.state.store = observed = ObservedSearch(store)
    app.state.consistency_tokens = consistency or ConsistencyTokens.ephemeral()
    app.state.version_watcher = VersionWatcher(observed.read_versions)
    problems.install(app)
    openapi.install(app)
    guards = authentication.required(app, tokens) if tokens is not None else []
    search = [*guards, Depends(read_your_writes)]
    web.install(app, search)
    for router in (talks.router, conferences.router, speakers.router):
        app.include_router(router, dependencies=search)
    app.include_router(health.router)
    app.state.cursors = cursors or CursorSigner.ephemeral()
    install_http_edge(app, cors_allow_origins=cors_allow_origins)
    serve_docs_locally(app)
    install_metrics(app, role="query-api")
    return app
