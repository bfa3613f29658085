"""Both OpenAPI documents tell the whole truth about errors, security and headers.

Walks every operation of the generated documents: each documents the problems it can
answer as ``application/problem+json`` (the 422 with its ``errors`` list), FastAPI's own
``HTTPValidationError`` shape is gone, every write operation requires the bearer scheme,
every 201 has ``Location`` and every command success its ``ETag``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from command_service.api.idempotency import KEY_PATTERN
from command_service.api.preconditions import IF_MATCH_PATTERN
from tests.contract.api.documents import search_api_document, write_api_document

Operation = tuple[str, str, dict[str, Any]]

PROBLEM = "#/components/schemas/Problem"
VALIDATION_PROBLEM = "#/components/schemas/ValidationProblem"
COMMAND_PROBLEMS = {"400", "401", "403", "412", "413", "415", "422", "503"}
ON_EXISTING = {"404", "409"}
READ_PROBLEMS = {"422", "503"}
PROBES = {"/health/live", "/health/ready"}


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def writes(document: dict[str, Any]) -> list[Operation]:
    return [op for op in operations(document) if op[1] not in ("get", "head", "options")]


@pytest.fixture(scope="module")
def write_api() -> dict[str, Any]:
    return write_api_document()


@pytest.fixture(scope="module")
def search_api() -> dict[str, Any]:
    return search_api_document()


@pytest.mark.parametrize("name", ["write_api", "search_api"])
def test_no_fastapi_validation_shape_is_left(name: str, request: pytest.FixtureRequest) -> None:
    document: dict[str, Any] = request.getfixturevalue(name)
    text = json.dumps(document)
    assert "HTTPValidationError" not in text
    assert '"ValidationError"' not in text
    assert {"Problem", "ValidationProblem", "FieldProblem"} <= set(
        document["components"]["schemas"]
    )


@pytest.mark.parametrize("name", ["write_api", "search_api"])
def test_every_error_is_problem_json_and_every_422_lists_its_errors(
    name: str, request: pytest.FixtureRequest
) -> None:
    document: dict[str, Any] = request.getfixturevalue(name)
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            assert set(response["content"]) == {"application/problem+json"}, (path, method)
            expected = VALIDATION_PROBLEM if status == "422" else PROBLEM
            assert response["content"]["application/problem+json"]["schema"] == {"$ref": expected}


def test_the_validation_problem_requires_its_errors(write_api: dict[str, Any]) -> None:
    schemas = write_api["components"]["schemas"]
    assert "errors" in schemas["ValidationProblem"]["required"]
    assert set(schemas["FieldProblem"]["required"]) == {"field", "message"}


def test_every_command_documents_every_problem_it_can_answer(write_api: dict[str, Any]) -> None:
    commands = writes(write_api)
    assert len(commands) == 13
    for path, method, operation in commands:
        statuses = set(operation["responses"])
        creates = "201" in statuses
        expected = COMMAND_PROBLEMS if creates else COMMAND_PROBLEMS | ON_EXISTING
        assert expected <= statuses, (path, method, expected - statuses)
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        assert "Retry-After" in operation["responses"]["503"]["headers"]


def test_every_read_documents_its_problems(search_api: dict[str, Any]) -> None:
    for path, _method, operation in operations(search_api):
        if path in PROBES:
            continue
        statuses = set(operation["responses"])
        assert statuses >= READ_PROBLEMS, path
        assert ("404" in statuses) == ("{" in path), path  # a lookup by id may find nothing
    assert "503" in search_api["paths"]["/health/ready"]["get"]["responses"]


def test_every_read_documents_read_your_writes(search_api: dict[str, Any]) -> None:
    """The token header, the bound on the wait and the 503 past it, on every read."""
    reads = [op for op in operations(search_api) if op[0] not in PROBES]
    assert len(reads) >= 6
    for path, _method, operation in reads:
        parameters = {(p["in"], p["name"]): p for p in operation["parameters"]}
        assert ("header", "Consistency-Token") in parameters, path
        wait = parameters[("query", "wait_ms")]["schema"]
        assert (wait["minimum"], wait["maximum"], wait["default"]) == (0, 10_000, 2000), path
        behind = operation["responses"]["503"]
        assert "read-model-behind" in behind["description"], path
        assert "Retry-After" in behind["headers"], path


def test_every_write_operation_requires_the_bearer_scheme(write_api: dict[str, Any]) -> None:
    scheme = write_api["components"]["securitySchemes"]["HTTPBearer"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    for path, method, operation in writes(write_api):
        assert operation["security"] == [{"HTTPBearer": []}], (path, method)
    for path, method, operation in operations(write_api):
        if method == "get":
            assert "security" not in operation, path  # the probes stay public


def test_successes_document_their_headers(write_api: dict[str, Any]) -> None:
    for path, method, operation in writes(write_api):
        success = operation["responses"]["201" if "201" in operation["responses"] else "200"]
        headers = success["headers"]
        assert headers["ETag"]["required"] is True, (path, method)
        assert headers["Idempotent-Replayed"]["required"] is False, (path, method)
        assert headers["Consistency-Token"]["required"] is True, (path, method)
    created = [op for op in writes(write_api) if "201" in op[2]["responses"]]
    assert {(path, method) for path, method, _ in created} == {
        ("/conferences", "post"),
        ("/talks", "post"),
    }
    for _path, _method, operation in created:
        assert operation["responses"]["201"]["headers"]["Location"]["required"] is True


def test_every_write_body_has_an_example(write_api: dict[str, Any]) -> None:
    schemas = write_api["components"]["schemas"]
    for path, method, operation in writes(write_api):
        if "requestBody" not in operation:
            continue
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        ref = schema.get("$ref") or next(v["$ref"] for v in schema["anyOf"] if "$ref" in v)
        assert schemas[ref.rsplit("/", 1)[-1]]["examples"], (path, method)


def test_headers_and_query_parameters_are_never_null(
    write_api: dict[str, Any], search_api: dict[str, Any]
) -> None:
    """Found by schemathesis: "X or null" made it send ``If-Match: null``."""
    for document in (write_api, search_api):
        for _path, _method, operation in operations(document):
            for parameter in operation.get("parameters", []):
                assert "null" not in json.dumps(parameter["schema"]), parameter["name"]


def test_the_command_headers_declare_the_syntax_the_api_enforces(
    write_api: dict[str, Any],
) -> None:
    """Found by schemathesis: both were "any string", yet most strings got 400."""
    [(_, _, accept)] = [op for op in writes(write_api) if op[0] == "/talks/{talk_id}/accept"]
    declared = {p["name"]: p["schema"].get("pattern") for p in accept["parameters"]}
    assert declared["If-Match"] == IF_MATCH_PATTERN
    assert declared["Idempotency-Key"] == KEY_PATTERN


def test_a_patch_field_that_refuses_null_does_not_offer_it(write_api: dict[str, Any]) -> None:
    """Found by schemathesis: the document offered null for fields that answered 422 to it."""
    properties = write_api["components"]["schemas"]["EditTalkBody"]["properties"]
    for name in ("title", "abstract", "speakers", "tags", "level", "format"):
        assert "null" not in json.dumps(properties[name]), name
    assert {"type": "null"} in properties["duration_minutes"]["anyOf"]  # null: the default
