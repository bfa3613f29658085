"""Correlation ids and the last line of defence against unexpected errors.

Every request gets a correlation id (the client's ``X-Correlation-ID`` when usable, else a
new one) that is echoed on the response and recorded in the events it causes. An exception
nobody handled is logged with that id and answered as a problem, never as a bare 500 page;
the test suite proves that no input reaches this path.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service_conventions.logs import log_context
from service_conventions.problems import problem_response

log = logging.getLogger("command_service.api")

HEADER = "X-Correlation-ID"
_USABLE = re.compile(r"^[A-Za-z0-9._:/@+=-]{1,200}$")


def correlation_id_from(value: str | None) -> str:
    """The client's id when it is a sane token, else a fresh UUID."""
    if value is not None and _USABLE.fullmatch(value):
        return value
    return str(uuid.uuid4())


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = correlation_id_from(Headers(scope=scope).get(HEADER))
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                MutableHeaders(scope=message)[HEADER] = correlation_id
            await send(message)

        with log_context(correlation_id=correlation_id):  # on every line of the request
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("unhandled error (correlation id %s)", correlation_id)
                if response_started:
                    raise
                response = problem_response(
                    None,
                    status=500,
                    code="internal-error",
                    title="Internal error",
                    detail=f"An unexpected error occurred; quote correlation id {correlation_id}.",
                )
                await response(scope, receive, send_with_id)
