"""The HTTP edge both APIs share: security headers, CORS by configuration, ``OPTIONS``.

- Every answer, errors included, carries ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer`` and frame denial (``X-Frame-Options: DENY`` and CSP
  ``frame-ancestors 'none'``); the answer to a write (any method but GET, HEAD, OPTIONS)
  also ``Cache-Control: no-store``, so no cache keeps a command's result or its error.
- CORS is off unless ``CORS_ALLOW_ORIGINS`` lists origins (Starlette's middleware): a
  browser app on another origin may then send the headers the APIs read and see the ones
  they answer.
- ``OPTIONS`` on a known path answers 204 with ``Allow`` (a CORS preflight, when CORS is
  on, is answered by the CORS middleware before that).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI
from pydantic import BeforeValidator
from pydantic_settings import NoDecode
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_conventions.routes import allowed_methods

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CORS_REQUEST_HEADERS = (
    "Authorization",
    "If-Match",
    "Idempotency-Key",
    "Content-Type",
    "X-Correlation-ID",
    "Consistency-Token",
)
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Idempotent-Replayed",
    "Consistency-Token",
    "X-Correlation-ID",
)


def _origins(value: object) -> object:
    if isinstance(value, str):
        return tuple(origin.strip() for origin in value.split(",") if origin.strip())
    return value


CorsOrigins = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_origins)]
"""``CORS_ALLOW_ORIGINS``: comma-separated origins (``https://app.example.org``), ``*`` for
any; empty (the default) turns CORS off."""


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        write = scope["method"] not in SAFE_METHODS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if write:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OptionsMiddleware:
    """``OPTIONS`` on a path the app serves: 204 with ``Allow``; unknown paths go on to
    the router's 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            methods = allowed_methods(scope["app"].routes, scope)
            if methods:
                response = Response(status_code=204, headers={"Allow": ", ".join(methods)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_http_edge(app: FastAPI, *, cors_allow_origins: tuple[str, ...] = ()) -> None:
    """Add the edge around the app's own middleware (call it after adding those)."""
    app.add_middleware(OptionsMiddleware)
    if cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_allow_origins),
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=list(CORS_REQUEST_HEADERS),
            expose_headers=list(CORS_EXPOSED_HEADERS),
        )
    app.add_middleware(SecurityHeadersMiddleware)
