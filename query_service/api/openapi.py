"""What the search API's OpenAPI document says beyond what FastAPI sees in the routes.

Every read may find its parameters invalid (422, each field named, a forged or foreign
cursor or Consistency-Token too) or the read store away (503, also ``read-model-behind``
when the read models did not reach a Consistency-Token within ``wait_ms``, with
``Retry-After``); a read of one resource by id may find nothing (404). The routers pass
``SEARCHES`` or ``LOOKUPS`` as ``responses=``.
"""

from __future__ import annotations

from fastapi import FastAPI

from service_conventions.openapi import install_openapi, problem_responses, string_header

_INVALID = (
    "A parameter is invalid (each field named in errors), or the cursor or the "
    "Consistency-Token is not one this service issued (for this query)"
)
_UNAVAILABLE = "The read store is unavailable"
_BEHIND = (
    "The read store is unavailable (read-store-unavailable), or the read models have not "
    "reached the Consistency-Token within wait_ms (read-model-behind, with Retry-After)"
)
_RETRY_AFTER = {
    503: {"Retry-After": string_header("Seconds to wait before retrying", required=False)}
}

SEARCHES = problem_responses({422: _INVALID, 503: _BEHIND}, _RETRY_AFTER)
"""``responses=`` of a search or listing."""

LOOKUPS = problem_responses(
    {404: "Nothing with this id (yet: the read side lags the write side a little)"}
    | {422: _INVALID, 503: _BEHIND},
    _RETRY_AFTER,
)
"""``responses=`` of a read of one resource by id."""

NOT_READY = problem_responses({503: _UNAVAILABLE})
"""``responses=`` of the readiness probe."""


def install(app: FastAPI) -> None:
    install_openapi(app)
