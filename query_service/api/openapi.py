"""What the search API's OpenAPI document says beyond what FastAPI sees in the routes.

Every read may find its parameters invalid (422, each field named, a forged or foreign
cursor too) or the read store away (503); a read of one resource by id may find nothing
(404). The routers pass ``SEARCHES`` or ``LOOKUPS`` as ``responses=``.
"""

from __future__ import annotations

from fastapi import FastAPI

from service_conventions.openapi import install_openapi, problem_responses

_INVALID = (
    "A parameter is invalid (each field named in errors), or the cursor is not one this "
    "service issued for this query"
)
_UNAVAILABLE = "The read store is unavailable"

SEARCHES = problem_responses({422: _INVALID, 503: _UNAVAILABLE})
"""``responses=`` of a search or listing."""

LOOKUPS = problem_responses(
    {404: "Nothing with this id (yet: the read side lags the write side a little)"}
    | {422: _INVALID, 503: _UNAVAILABLE}
)
"""``responses=`` of a read of one resource by id."""

NOT_READY = problem_responses({503: _UNAVAILABLE})
"""``responses=`` of the readiness probe."""


def install(app: FastAPI) -> None:
    install_openapi(app)
