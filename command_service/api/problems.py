"""RFC 9457 problem details: the one shape of every error the write API answers.

Domain and application errors carry a stable ``code``; this module turns it into the
problem ``type`` URI and picks the status from the error's family. Nothing else in the API
decides statuses of errors.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from command_service.errors import (
    ApplicationError,
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from shared_domain.errors import DomainError, InvalidInput, NotFound, RuleViolation

log = logging.getLogger("command_service.api")

TYPE_PREFIX = "urn:conference-program:problem:"
MEDIA_TYPE = "application/problem+json"

_HTTP_CODES = {
    400: ("bad-request", "The request is malformed"),
    404: ("not-found", "There is nothing at this address"),
    405: ("method-not-allowed", "The resource does not support this method"),
    415: ("unsupported-media-type", "The request body must be JSON"),
}


class ProblemError(Exception):
    """An error of the HTTP exchange itself (a malformed header, a wrong media type)."""

    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The problem+json body, for the OpenAPI document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


def problem_response(
    request: Request | None,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else "",
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


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
    return 422


def field_name(location: tuple[int | str, ...]) -> str:
    """``("body", "speakers", 0, "name")`` -> ``speakers.0.name``; a path parameter by name."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "path", "query", "header") and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error the API raises on purpose to its problem response."""

    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError | ApplicationError)
        extensions: dict[str, Any] = {}
        if isinstance(error, InvalidInput):
            extensions["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
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
        errors = [
            {"field": field_name(tuple(item["loc"])), "message": str(item["msg"])}
            for item in details
        ]
        return problem_response(
            request,
            status=422,
            code=InvalidInput.code,
            title=InvalidInput.title,
            detail="; ".join(f"{e['field']}: {e['message']}" for e in errors),
            errors=errors,
        )

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        code, title = _HTTP_CODES.get(error.status_code, ("http-error", "HTTP error"))
        return problem_response(
            request,
            status=error.status_code,
            code=code,
            title=title,
            detail=str(error.detail),
            headers=dict(error.headers or {}),
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

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(ApplicationError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(ProblemError, problem_error)
    app.add_exception_handler(OperationalError, database_unavailable)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": description}
    for status, description in (
        (400, "Malformed header or JSON"),
        (404, "Unknown resource"),
        (409, "Breaks a rule of the current state"),
        (412, "If-Match names a stale version"),
        (415, "The body is not JSON"),
        (422, "Invalid input, or an Idempotency-Key reused for another request"),
    )
}
"""The error answers every command may give, for the OpenAPI document."""
