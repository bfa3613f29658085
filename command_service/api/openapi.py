"""What the write API's OpenAPI document says beyond what FastAPI sees in the routes.

Every command answers one of two ways: ``CREATES`` (201 with ``Location``) or ``CHANGES``
(200); both carry ``ETag`` and, on a replay, ``Idempotent-Replayed``, and each lists every
problem status the edge, the application and the domain can give. The routers pass one of
them as ``responses=``; nothing else in the API spells out error statuses for the document.

Every write operation requires a bearer JWT (``bearer_security``): the document says so for
all of them at once, because the rule is the API's, not any one route's. A 201 links to the
operations that take the new id (``creation_links``), so a client, or a stateful fuzzer,
can follow from a new conference or talk to what can be done with it.
Every success also answers ``Consistency-Token``: the search API waits for it (ADR 080).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from service_conventions.openapi import (
    Document,
    Responses,
    install_openapi,
    problem_responses,
    string_header,
)

SECURITY_SCHEME = "HTTPBearer"
READ_METHODS = frozenset({"get", "head", "options"})

ETAG = string_header(
    'The aggregate\'s new version as a strong entity tag ("3"), for If-Match', pattern='^"[0-9]+"$'
)
REPLAYED = string_header(
    "true when this is the stored answer to an earlier request with the same Idempotency-Key",
    required=False,
    enum=["true"],
)
CONSISTENCY_TOKEN = string_header(
    "Opaque: send it to the search API (several comma-joined) to read this command's "
    "effect; reads wait until the read models reflect it",
    pattern=r"^ct1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
)
LOCATION = string_header("The created resource's path (/conferences/<id>, /talks/<id>)")
RETRY_AFTER = string_header("Seconds to wait before retrying")
WWW_AUTHENTICATE = string_header('The bearer challenge: Bearer error="invalid_token", …')

_PROBLEMS = {
    400: "A malformed If-Match or Idempotency-Key header, or a body that is not valid JSON",
    401: "No bearer token, or one that is invalid or expired",
    403: "The token's role, or its subject, may not do this",
    404: "The conference, talk or rating does not exist",
    409: "The command breaks a rule of the current state, or lost a race to another one",
    412: "If-Match names a version that is not the current one",
    413: "The body is larger than the limit",
    415: "The body is not JSON",
    422: "Invalid input (each field named in errors), or an Idempotency-Key reused for "
    "another request",
    503: "The database is busy or unreachable; retry after Retry-After",
}
_PROBLEM_HEADERS = {401: {"WWW-Authenticate": WWW_AUTHENTICATE}, 503: {"Retry-After": RETRY_AFTER}}
_NOT_ON_CREATION = frozenset({404, 409})  # a new aggregate has no state to miss or break


def _command_responses(status: int, description: str, headers: dict[str, Any]) -> Responses:
    described = {s: d for s, d in _PROBLEMS.items() if status != 201 or s not in _NOT_ON_CREATION}
    return {
        status: {"description": description, "headers": headers},
        **problem_responses(described, _PROBLEM_HEADERS),
    }


CREATES = _command_responses(
    201,
    "Created: the new aggregate's id and version",
    {
        "Location": LOCATION,
        "ETag": ETAG,
        "Consistency-Token": CONSISTENCY_TOKEN,
        "Idempotent-Replayed": REPLAYED,
    },
)
"""``responses=`` of a command that creates an aggregate."""

CHANGES = _command_responses(
    200,
    "Done: the changed aggregate's id and new version",
    {"ETag": ETAG, "Consistency-Token": CONSISTENCY_TOKEN, "Idempotent-Replayed": REPLAYED},
)
"""``responses=`` of a command on an existing aggregate."""

NOT_READY = problem_responses(
    {503: "The database is unreachable or not migrated"}, {503: {"Retry-After": RETRY_AFTER}}
)
"""``responses=`` of the readiness probe."""


def bearer_security(document: Document) -> None:
    """Declare the bearer JWT scheme and require it on every write operation."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT whose roles claim names organizer, speaker or attendee "
        "(on the embedded default: conference token --role ROLE --subject SUB).",
    }
    for operations in document["paths"].values():
        for method, operation in operations.items():
            if method not in READ_METHODS:
                operation["security"] = [{SECURITY_SCHEME: []}]


CREATED_IDS = {"/conferences": "conference_id", "/talks": "talk_id"}
"""The creating path of each aggregate, and the path parameter its id fills."""


def creation_links(document: Document) -> None:
    """OpenAPI links from each 201 to every operation whose path takes the new id."""
    paths = document["paths"]
    for created_at, parameter in CREATED_IDS.items():
        links = {
            operation["operationId"]: {
                "operationId": operation["operationId"],
                "parameters": {parameter: "$response.body#/id"},
            }
            for path, operations in paths.items()
            if "{" + parameter + "}" in path
            for operation in operations.values()
        }
        paths[created_at]["post"]["responses"]["201"]["links"] = links


def finish(document: Document) -> None:
    bearer_security(document)
    creation_links(document)


def install(app: FastAPI) -> None:
    install_openapi(app, finish)
