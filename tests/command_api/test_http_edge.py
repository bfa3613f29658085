"""The HTTP edge: problem+json for every malformed request, routes, headers, health, docs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from tests.command_api.conftest import Api, assert_problem, conference_body, fields_of


@pytest.mark.parametrize("content", ['{"name": ', "not json", '{"name": "x",}'])
def test_malformed_json_is_400(api: Api, content: str) -> None:
    response = api.client.post(
        "/conferences", content=content, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "malformed-json")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_is_415(api: Api, content_type: str) -> None:
    response = api.client.post(
        "/conferences", content='{"name": "x"}', headers={"Content-Type": content_type}
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_json_with_charset_and_structured_suffix_is_fine(api: Api) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        conference_id = api.conference()
        response = api.client.patch(
            f"/conferences/{conference_id}",
            content='{"name": "Renamed"}',
            headers={"Content-Type": content_type},
        )
        assert response.status_code == 200, response.text


def test_a_missing_body_names_it(api: Api) -> None:
    response = api.client.post("/conferences")
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {"body"}


def test_an_unknown_route_is_404(api: Api) -> None:
    assert_problem(api.send("GET", "/speakers"), 404, "not-found")
    assert_problem(api.send("POST", f"/talks/{uuid.uuid4()}/publish"), 404, "not-found")


def test_an_unsupported_method_is_405_with_allow(api: Api) -> None:
    response = api.send("GET", "/conferences")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/talks/{id}/ratings/ada", "PUT, DELETE"),
        ("/conferences/{id}/schedule/{id}", "PUT, DELETE"),
        ("/talks/{id}", "PATCH"),
    ],
)
def test_allow_names_every_method_of_a_path_served_by_several_routes(
    api: Api, path: str, allowed: str
) -> None:
    """Found by schemathesis: Starlette's 405 named only the first route's method. (POST
    is none of these paths' methods; OPTIONS answers 204 with the same ``Allow``.)"""
    response = api.send("POST", path.replace("{id}", str(uuid.uuid4())))
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["Allow"] == allowed


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("PATCH", "/conferences/42", "conference_id"),
        ("POST", "/conferences/not-a-uuid/stages", "conference_id"),
        ("POST", "/talks/42/accept", "talk_id"),
        ("PUT", f"/conferences/{uuid.uuid4()}/schedule/nope", "talk_id"),
        ("DELETE", "/talks/nope/ratings/ann", "talk_id"),
    ],
)
def test_a_malformed_path_id_is_422_naming_the_parameter(
    api: Api, method: str, path: str, field: str
) -> None:
    body = {"name": "x", "stage": "Main", "starts_at": "2026-06-01T10:00:00"}
    response = api.send(method, path, body if method in ("PATCH", "PUT", "POST") else None)
    assert field in fields_of(assert_problem(response, 422, "invalid-input"))


def test_the_correlation_id_is_echoed_and_recorded(api: Api) -> None:
    response = api.send("POST", "/conferences", conference_body(), **{"X-Correlation-ID": "abc-1"})

    assert response.headers["X-Correlation-ID"] == "abc-1"
    assert api.outbox()[0]["correlationid"] == "abc-1"


def test_a_correlation_id_is_made_up_when_missing_or_unusable(api: Api) -> None:
    first = api.send("POST", "/conferences", conference_body())
    second = api.send("POST", "/conferences", conference_body(), **{"X-Correlation-ID": "a b"})
    problem = api.send("GET", "/nowhere")

    for response in (first, second, problem):
        uuid.UUID(response.headers["X-Correlation-ID"])
    assert [e["correlationid"] for e in api.outbox()] == [
        first.headers["X-Correlation-ID"],
        second.headers["X-Correlation-ID"],
    ]


def test_each_request_is_its_own_cause_and_traceparent_passes_through(api: Api) -> None:
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    api.ok("POST", "/conferences", conference_body(), traceparent=traceparent)
    api.ok("POST", "/conferences", conference_body(), traceparent="garbage")

    first, second = api.outbox()
    assert first["traceparent"] == traceparent
    assert "traceparent" not in second
    assert first["causationid"] != second["causationid"]
    uuid.UUID(first["causationid"])


def test_health(api: Api) -> None:
    assert api.ok("GET", "/health/live") == {"status": "ok"}
    assert api.ok("GET", "/health/ready") == {"status": "ready"}


def test_openapi_and_docs(api: Api) -> None:
    document = api.ok("GET", "/openapi.json")
    assert set(document["paths"]) >= {
        "/conferences",
        "/conferences/{conference_id}",
        "/conferences/{conference_id}/stages",
        "/conferences/{conference_id}/stages/{name}",
        "/conferences/{conference_id}/schedule/{talk_id}",
        "/talks",
        "/talks/{talk_id}",
        "/talks/{talk_id}/accept",
        "/talks/{talk_id}/reject",
        "/talks/{talk_id}/withdraw",
        "/talks/{talk_id}/ratings/{attendee_id}",
    }
    assert api.send("GET", "/docs").status_code == 200


LIMIT = 1_048_576


def test_a_body_declared_over_the_limit_is_413_and_changes_nothing(api: Api) -> None:
    body = json.dumps(conference_body(name="x" * LIMIT))
    response = api.client.post(
        "/conferences", content=body, headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 413, "body-too-large")
    assert "1,048,576 bytes" in problem["detail"]
    assert api.outbox_size() == 0


def test_a_chunked_body_is_refused_once_it_passes_the_limit(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 65_536  # 2.5 MiB in all, no Content-Length

    response = api.client.post(
        "/conferences", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "body-too-large")
    assert api.outbox_size() == 0


def test_a_body_just_under_the_limit_is_read(api: Api) -> None:
    padding = LIMIT - len(json.dumps(conference_body(name="")))
    body = json.dumps(conference_body(name="x" * padding))
    assert len(body) == LIMIT
    response = api.client.post(
        "/conferences", content=body, headers={"Content-Type": "application/json"}
    )
    # Read and judged by the domain: the name is far too long, which is 422, not 413.
    assert_problem(response, 422, "invalid-input")
