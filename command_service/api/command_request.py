"""One command request over HTTP: its caller, trace, precondition and idempotency claim.

Routers build a command from the path and body and hand it to ``CommandRequest.run``, which
runs it through the command service and renders the answer: the body ``{"id", "version",
…}``, ``ETag``, ``Consistency-Token`` (what a read must wait for to see this command, ADR
080), and on creation ``201`` with ``Location``. A replayed answer is rendered
from the stored result exactly as the first one was, plus ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from command_service.api.command_outcomes import counted
from command_service.api.consistency_tokens import marks_of
from command_service.api.idempotency import KEY_PATTERN, claim_from
from command_service.api.preconditions import IF_MATCH_PATTERN, etag, parse_if_match
from command_service.bootstrap import CommandService
from command_service.handlers.expected_version import ExpectedVersion
from command_service.handlers.result import CommandResult
from command_service.handlers.runner import Handler, IdempotencyClaim
from command_service.policy.table import authorize
from service_conventions.auth.bearer import Caller
from service_conventions.auth.verifier import Principal
from service_conventions.consistency.token import ConsistencyTokens
from service_conventions.telemetry import tracing
from shared_domain.envelope import TraceContext

C = TypeVar("C")

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


@dataclass(frozen=True)
class CommandRequest:
    service: CommandService
    principal: Principal
    trace: TraceContext
    expected_version: ExpectedVersion | None
    idempotency: IdempotencyClaim | None
    tokens: ConsistencyTokens

    @staticmethod
    def new_id() -> str:
        """The id of an aggregate this request creates."""
        return str(uuid.uuid4())

    def run(
        self,
        handler: Handler[C],
        command: C,
        *,
        created_at: Callable[[CommandResult], str] | None = None,
    ) -> JSONResponse:
        """Run ``command`` if the policy lets the caller; ``created_at`` gives the new
        resource's path for a 201."""
        guard = partial(authorize, command, self.principal)
        outcome = counted(
            command,
            lambda: self.service.run(handler, command, self.trace, self.idempotency, guard),
        )
        result = outcome.result
        headers = {
            "ETag": etag(result.version),
            "Consistency-Token": self.tokens.issue(marks_of(command, outcome)),
        }
        if outcome.replayed:
            headers["Idempotent-Replayed"] = "true"
        if created_at is None:
            return JSONResponse(result.to_data(), headers=headers)
        headers["Location"] = created_at(result)
        return JSONResponse(result.to_data(), status_code=201, headers=headers)


async def get_service(request: Request) -> CommandService:
    """``async``, as every dependency that does no I/O: a sync one costs a thread hop."""
    service: CommandService = request.app.state.service
    return service


def trace_of(request: Request, actor: str) -> TraceContext:
    """Correlation id from the middleware, a fresh causation (command) id, the W3C trace,
    and the caller's subject as the actor of every event the command records.

    With tracing on, the trace is this request's server span (which continues an incoming
    ``traceparent``), so the relay and the projectors hang their spans under it; with it
    off, a well-formed incoming ``traceparent`` is passed through as it came."""
    if tracing.enabled():
        traceparent = tracing.current_traceparent()
    else:
        traceparent = request.headers.get("traceparent")
        if traceparent and not _TRACEPARENT.fullmatch(traceparent):
            traceparent = None
    return TraceContext(
        correlation_id=request.state.correlation_id,
        causation_id=str(uuid.uuid4()),
        traceparent=traceparent or None,
        actor=actor,
    )


async def get_command_request(
    request: Request,
    principal: Caller,
    service: Annotated[CommandService, Depends(get_service)],
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='Run only at this version: "3", a list, or *',
            json_schema_extra={"pattern": IF_MATCH_PATTERN},
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="1-200 visible ASCII characters (! to ~), e.g. a UUID; makes retries safe",
            json_schema_extra={"pattern": KEY_PATTERN},
        ),
    ] = None,
) -> CommandRequest:
    return CommandRequest(
        service=service,
        principal=principal,
        trace=trace_of(request, principal.subject),
        expected_version=parse_if_match(if_match),
        idempotency=await claim_from(request, idempotency_key, principal.subject),
        tokens=request.app.state.consistency_tokens,
    )


Commands = Annotated[CommandRequest, Depends(get_command_request)]
"""The dependency every command route takes."""
