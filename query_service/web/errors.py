"""A page's errors answered as pages: what was wrong, in words, with the same status.

The JSON API's problem handlers stay as they are; each is wrapped so that an error raised
by a page endpoint renders ``error.html`` instead (a 404 for an unknown conference or talk,
a 422 that lists the malformed parameters), and any other request gets problem+json.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from query_service.api.problems import InvalidParameter, NotFound
from query_service.read_store.port import InvalidCursor, ReadStoreUnavailable
from query_service.web.rendering import page
from query_service.web.routes import is_page
from service_conventions.problems import field_problems

log = logging.getLogger(__name__)

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _invalid_fields(exc: Exception) -> Sequence[dict[str, str]]:
    if isinstance(exc, RequestValidationError):
        return field_problems(exc)
    if isinstance(exc, InvalidParameter):
        return [{"field": exc.field, "message": exc.message}]
    return [{"field": "cursor", "message": f"{exc}; start again from the first page"}]


def _error_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return page(
            request,
            "error.html",
            404,
            title=f"No such {exc.resource}",
            message=f"There is no {exc.resource} at this address. It may have been "
            "removed, or the link may be mistyped.",
            errors=[],
        )
    if isinstance(exc, RequestValidationError | InvalidParameter | InvalidCursor):
        return page(
            request,
            "error.html",
            422,
            title="This address asks for something the programme cannot show",
            message="Some parameters of the address are malformed:",
            errors=_invalid_fields(exc),
        )
    if isinstance(exc, ReadStoreUnavailable):
        return page(
            request,
            "error.html",
            503,
            title="The programme is unavailable",
            message="The programme cannot be read right now. Please try again shortly.",
            errors=[],
        )
    log.exception("unhandled error on page %s", request.url.path, exc_info=exc)
    return page(
        request,
        "error.html",
        500,
        title="Something went wrong",
        message="The page could not be shown.",
        errors=[],
    )


def _for_pages(original: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if is_page(request.scope.get("endpoint")):
            return _error_page(request, exc)
        answer = original(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    return handle


PAGE_ERRORS = (
    RequestValidationError,
    InvalidParameter,
    InvalidCursor,
    NotFound,
    ReadStoreUnavailable,
    Exception,
)


def install(app: FastAPI) -> None:
    """Wrap the problem handlers already installed (``api/problems.py``) for pages."""
    for error_type in PAGE_ERRORS:
        original = app.exception_handlers[error_type]
        app.add_exception_handler(error_type, _for_pages(original))
