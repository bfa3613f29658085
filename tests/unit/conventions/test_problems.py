"""One problem shape for both APIs: the same body, ``instance`` and field names."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel

from service_conventions.problems import (
    MEDIA_TYPE,
    field_name,
    field_problems,
    joined_detail,
    problem_response,
    register_problem_handlers,
)


@pytest.mark.parametrize(
    ("location", "name"),
    [
        (("body", "speakers", 0, "name"), "speakers.0.name"),
        (("body", "tags", 1), "tags.1"),
        (("body",), "body"),
        (("path", "talk_id"), "talk_id"),
        (("query", "level", 0), "level"),
        (("query", "size"), "size"),
        (("header", "if-match"), "if-match"),
        (("starts_at",), "starts_at"),
    ],
)
def test_a_field_is_named_as_the_client_wrote_it(
    location: tuple[int | str, ...], name: str
) -> None:
    assert field_name(location) == name


class Speaker(BaseModel):
    name: str


class Body(BaseModel):
    speakers: list[Speaker]


def _app() -> FastAPI:
    app = FastAPI()

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = field_problems(error)
        return problem_response(
            request, status=422, code="x", title="X", detail=joined_detail(errors), errors=errors
        )

    register_problem_handlers(app, {RequestValidationError: invalid})

    @app.post("/talks")
    def submit(body: Body, level: list[int] | None = Query(None)) -> None:
        return None

    return app


def test_validation_errors_name_body_paths_and_query_parameters() -> None:
    with TestClient(_app()) as client:
        response = client.post("/talks", params={"level": "high"}, json={"speakers": [{}]})
    body = response.json()
    assert response.headers["content-type"] == MEDIA_TYPE
    assert body["instance"] == "/talks"
    assert {e["field"] for e in body["errors"]} == {"level", "speakers.0.name"}
    assert body["detail"] == "; ".join(f"{e['field']}: {e['message']}" for e in body["errors"])


def test_an_http_error_keeps_its_headers_and_gets_a_stable_type() -> None:
    with TestClient(_app()) as client:
        response = client.get("/talks")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json() == {
        "type": "urn:conference-program:problem:method-not-allowed",
        "title": "The resource does not support this method",
        "status": 405,
        "detail": "Method Not Allowed",
        "instance": "/talks",
    }
