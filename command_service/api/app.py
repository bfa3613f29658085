"""The write API's application factory.

``create_app(settings)`` wires the composition root into a FastAPI app; nothing is built at
import. ``uvicorn --factory command_service.api.app:create_app`` works too (settings then
come from the environment).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from command_service.api.body_limit import BodyLimitMiddleware
from command_service.api.correlation import CorrelationMiddleware
from command_service.api.openapi import install as install_openapi
from command_service.api.problems import install_problem_handlers
from command_service.api.routers import conferences, health, ratings, schedule, talks
from command_service.bootstrap import CommandService, bootstrap
from command_service.settings import Settings, load_settings
from service_conventions.api_docs import serve_docs_locally
from service_conventions.auth.bearer import install_bearer_tokens
from service_conventions.consistency.settings import consistency_tokens
from service_conventions.http_edge import install_http_edge
from service_conventions.metrics.serving import install_metrics


def create_app(
    settings: Settings | None = None, *, service: CommandService | None = None
) -> FastAPI:
    """Build the app; pass ``service`` to reuse an existing composition (tests)."""
    settings = settings or load_settings()
    command_service = service or bootstrap(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        command_service.close()

    app = FastAPI(
        title="Conference Program: write API",
        version="1.0.0",
        description="Commands on conferences, talks and ratings. Every success answers the "
        'changed aggregate\'s id and version (also as `ETag: "<version>"`); `If-Match` makes '
        "a command conditional and `Idempotency-Key` makes retries safe. Errors are RFC 9457 "
        "problem details.",
        lifespan=lifespan,
    )
    app.state.service = command_service
    app.state.consistency_tokens = consistency_tokens(settings)
    install_problem_handlers(app)
    install_bearer_tokens(app, settings)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(CorrelationMiddleware)
    for module in (conferences, schedule, talks, ratings, health):
        app.include_router(module.router)
    install_http_edge(app, cors_allow_origins=settings.cors_allow_origins)
    serve_docs_locally(app)
    install_metrics(app, role="command-api")
    return app
