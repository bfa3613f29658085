"""A ceiling on request bodies: 413 before a large body is read, never a worker held by it.

Every command body is a few kilobytes; a megabyte is generous. A declared
``Content-Length`` above the limit is refused without reading a byte; a body without one
(chunked) is counted as it arrives and refused as soon as it passes the limit. A reverse
proxy in front may set its own, lower limit; this one holds without it.

Why not ``FastAPI(max_body_size=...)`` (Starlette's ``RequestBodyLimitMiddleware``): it
answers a declared oversized ``Content-Length`` with ``text/plain`` "Content Too Large",
outside the app's exception handlers, so the problem+json contract would break exactly there.
"""

from __future__ import annotations

import contextlib

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_conventions.problems import problem_response


class _TooLarge(Exception):
    """Raised into the app from ``receive`` so that it stops reading."""


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a body it could not read is replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope),
            status=413,
            code="body-too-large",
            title="Request body too large",
            detail=f"Request bodies are limited to {self.max_bytes:,} bytes; "
            "a command needs a few kilobytes at most.",
        )
        await response(scope, receive, send)
