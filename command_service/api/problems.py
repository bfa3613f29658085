"""Problem details of the write API: which error answers which status and ``type``.

Domain and application errors carry a stable ``code``; this module turns it into the
problem ``type`` URI and picks the status from the error's family. Nothing else in the API
decides statuses of errors. The problem shape itself is shared with the search API
(``service_conventions/problems.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from command_service.errors import (
    ApplicationError,
    ConcurrencyConflict,
    Forbidden,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from service_conventions.problems import (
    field_problems,
    joined_detail,
    problem_response,
    register_problem_handlers,
)
from shared_domain.errors import DomainError, InvalidInput, NotFound, RuleViolation

log = logging.getLogger("command_service.api")


class ProblemError(Exception):
    """An error of the HTTP exchange itself (a malformed header, a wrong media type)."""

    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


def status_of(error: DomainError | ApplicationError) -> int:
    match error:
        case InvalidInput() | IdempotencyKeyReused():
            return 422
        case NotFound():
            return 404
        case RuleViolation() | ConcurrencyConflict():
            return 409
        case PreconditionFailed():
            return 412
        case Forbidden():
            return 403
    return 422


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error the API raises on purpose to its problem response."""

    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError | ApplicationError)
        extensions: dict[str, Any] = {}
        if isinstance(error, InvalidInput):
            extensions["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
        elif isinstance(error, IdempotencyKeyReused):  # every 422 names what is wrong
            extensions["errors"] = [{"field": "Idempotency-Key", "message": error.detail}]
        return problem_response(
            request,
            status=status_of(error),
            code=error.code,
            title=error.title,
            detail=error.detail,
            **extensions,
        )

    async def validation_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        details = error.errors()
        if any(item.get("type") == "json_invalid" for item in details):
            return problem_response(
                request,
                status=400,
                code="malformed-json",
                title="The request body is not valid JSON",
                detail="The body could not be parsed as JSON.",
            )
        errors = field_problems(error)
        return problem_response(
            request,
            status=422,
            code=InvalidInput.code,
            title=InvalidInput.title,
            detail=joined_detail(errors),
            errors=errors,
        )

    async def problem_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ProblemError)
        return problem_response(
            request, status=error.status, code=error.code, title=error.title, detail=error.detail
        )

    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", error)
        return problem_response(
            request,
            status=503,
            code="service-unavailable",
            title="The service is temporarily unavailable",
            detail="The database is busy or unreachable; retry shortly.",
            headers={"Retry-After": "1"},
        )

    register_problem_handlers(
        app,
        {
            DomainError: domain_error,
            ApplicationError: domain_error,
            RequestValidationError: validation_error,
            ProblemError: problem_error,
            OperationalError: database_unavailable,
        },
    )
