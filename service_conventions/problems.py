"""RFC 9457 problem details: the one shape of every error both APIs answer.

Each service keeps its own mapping (which error is which status and ``type`` code); the
mechanics live here so the two APIs cannot drift apart: the body and its media type,
``instance`` (the request's path), and how a validation error names its fields.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from service_conventions.routes import allowed_methods

TYPE_PREFIX = "urn:conference-program:problem:"
MEDIA_TYPE = "application/problem+json"

_LOCATIONS = ("body", "path", "query", "header", "cookie")
_HTTP_CODES = {
    400: ("bad-request", "The request is malformed"),
    404: ("not-found", "There is nothing at this address"),
    405: ("method-not-allowed", "The resource does not support this method"),
    415: ("unsupported-media-type", "The request body must be JSON"),
}


ProblemHandler = Callable[[Request, Exception], Awaitable[Response]]


class FieldProblem(BaseModel):
    """One offending field of a request: where (``speakers.0.name``, ``cursor``) and why."""

    field: str
    message: str


class Problem(BaseModel):
    """The problem+json body, for the OpenAPI document (extension members are allowed)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str


class ValidationProblem(Problem):
    """The problem of a 422: every offending field, so a client can mark each of them."""

    errors: list[FieldProblem]


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
    """The problem for ``code``; ``instance`` is the path asked for (empty without one)."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else "",
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def field_name(location: Sequence[int | str]) -> str:
    """The field as the client wrote it: a path into the JSON body, else the parameter.

    ``("body", "speakers", 0, "name")`` -> ``speakers.0.name``; ``("query", "level", 0)``
    -> ``level`` (a repeated query parameter has no index a client could address);
    ``("body",)`` -> ``body`` (the body as a whole).
    """
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        return ".".join(parts[1:]) if parts[0] == "body" else parts[1]
    return ".".join(parts)


def field_problems(error: RequestValidationError) -> list[dict[str, str]]:
    """The ``errors`` entries of a request that failed validation: field and message."""
    return [
        {"field": field_name(tuple(item["loc"])), "message": str(item["msg"])}
        for item in error.errors()
    ]


def joined_detail(errors: Sequence[dict[str, str]]) -> str:
    """``field: message; field: message``: the ``detail`` of a problem with ``errors``."""
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


async def http_problem(request: Request, error: Exception) -> JSONResponse:
    """The problem for a routing or protocol error (unknown path, method, media type),
    with its headers (on a 405, ``Allow`` lists the methods of every route of the path)."""
    assert isinstance(error, HTTPException)
    code, title = _HTTP_CODES.get(error.status_code, ("http-error", "HTTP error"))
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.app.routes, request.scope))
    return problem_response(
        request,
        status=error.status_code,
        code=code,
        title=title,
        detail=str(error.detail),
        headers=headers,
    )


def register_problem_handlers(
    app: FastAPI, handlers: Mapping[type[Exception], ProblemHandler]
) -> None:
    """Register a service's own mapping of errors to problems, and the answers both APIs
    give alike (routing and protocol errors)."""
    app.add_exception_handler(HTTPException, http_problem)
    for error_type, handler in handlers.items():
        app.add_exception_handler(error_type, handler)
