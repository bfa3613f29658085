"""Problem details of the search API: which error answers which status and ``type``.

Type URIs are stable (``urn:conference-program:problem:<code>``) so clients can branch on
them. The catch-all handler exists so that a bug still answers problem+json; the test
suite proves that no input reaches it. The problem shape itself is shared with the write
API (``service_conventions/problems.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from query_service.read_store.port import InvalidCursor, ReadStoreUnavailable
from service_conventions.problems import (
    field_problems,
    joined_detail,
    problem_response,
    register_problem_handlers,
)

log = logging.getLogger(__name__)


class InvalidParameter(Exception):
    """A request parameter that passed type checks but breaks a rule of its own."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ReadModelBehind(ReadStoreUnavailable):
    """The read models did not reach a ``Consistency-Token`` within ``wait_ms``: the store
    answers, but not yet with what the client wrote (a page shows it as unavailable)."""

    def __init__(self, wait_ms: int) -> None:
        super().__init__(
            f"the read models have not reached the Consistency-Token after {wait_ms} ms; "
            f"retry after {RETRY_AFTER_SECONDS} s, or with a larger wait_ms"
        )


RETRY_AFTER_SECONDS = 1
"""A projector that is minutes behind is an outage, not a lag: retry soon, not later."""


class NotFound(Exception):
    def __init__(self, resource: str, identifier: str) -> None:
        super().__init__(f"{resource} {identifier!r} does not exist")
        self.resource = resource


def invalid(request: Request, errors: Sequence[dict[str, str]]) -> JSONResponse:
    return problem_response(
        request,
        status=422,
        code="invalid-parameter",
        title="A request parameter is invalid",
        detail=joined_detail(errors),
        errors=list(errors),
    )


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return invalid(request, field_problems(exc))


async def _invalid_parameter(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidParameter)
    return invalid(request, [{"field": exc.field, "message": exc.message}])


async def _invalid_cursor(request: Request, exc: Exception) -> JSONResponse:
    return invalid(request, [{"field": "cursor", "message": str(exc)}])


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return problem_response(
        request,
        status=404,
        code=f"{exc.resource}-not-found",
        title=f"Unknown {exc.resource}",
        detail=str(exc),
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # Logged once per outage by the observed store (api/observed_store.py), not per request.
    behind = isinstance(exc, ReadModelBehind)
    return problem_response(
        request,
        status=503,
        code="read-model-behind" if behind else "read-store-unavailable",
        title="The read models have not reached the Consistency-Token yet"
        if behind
        else "The read store is unavailable",
        detail=str(exc),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if behind else None,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="internal-error",
        title="Internal error",
        detail="The request could not be served.",
    )


def install(app: FastAPI) -> None:
    register_problem_handlers(
        app,
        {
            RequestValidationError: _validation,
            InvalidParameter: _invalid_parameter,
            InvalidCursor: _invalid_cursor,
            NotFound: _not_found,
            ReadStoreUnavailable: _unavailable,
            Exception: _unexpected,
        },
    )
