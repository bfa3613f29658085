"""RFC 9457 problem details: every error of the search API, in one shape.

Type URIs are stable (``urn:conference-program:problem:<code>``) so clients can branch on
them. The catch-all handler exists so that a bug still answers problem+json; the test
suite proves that no input reaches it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from query_service.read_store.port import InvalidCursor, ReadStoreUnavailable

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:conference-program:problem:"


class InvalidParameter(Exception):
    """A request parameter that passed type checks but breaks a rule of its own."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(Exception):
    def __init__(self, resource: str, identifier: str) -> None:
        super().__init__(f"{resource} {identifier!r} does not exist")
        self.resource = resource


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_PREFIX + code, "title": title, "status": status, "detail": detail}
    return JSONResponse({**body, **extra}, status_code=status, media_type=MEDIA_TYPE)


def invalid(errors: Sequence[dict[str, str]]) -> JSONResponse:
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        422, "invalid-parameter", "A request parameter is invalid", detail, errors=list(errors)
    )


def _field(loc: Sequence[int | str]) -> str:
    names = [str(part) for part in loc[1:] if isinstance(part, str)] if len(loc) > 1 else []
    return ".".join(names) or ".".join(str(p) for p in loc)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(e["loc"]), "message": str(e["msg"])} for e in exc.errors()]
    return invalid(errors)


async def _invalid_parameter(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidParameter)
    return invalid([{"field": exc.field, "message": exc.message}])


async def _invalid_cursor(_: Request, exc: Exception) -> JSONResponse:
    return invalid([{"field": "cursor", "message": str(exc)}])


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return problem(404, f"{exc.resource}-not-found", f"Unknown {exc.resource}", str(exc))


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    # Logged once per outage by the observed store (api/observed_store.py), not per request.
    return problem(503, "read-store-unavailable", "The read store is unavailable", str(exc))


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem(exc.status_code, code, str(exc.detail), str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal-error", "Internal error", "The request could not be served.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InvalidParameter, _invalid_parameter)
    app.add_exception_handler(InvalidCursor, _invalid_cursor)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(ReadStoreUnavailable, _unavailable)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
