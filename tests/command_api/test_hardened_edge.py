"""The hardened edge of the write API (ADR 069): hostile inputs get a 4xx problem that
names them and change nothing; security headers, CORS, OPTIONS and local docs."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from command_service.api.app import create_app
from command_service.settings import load_settings
from tests.command_api.conftest import (
    Api,
    TestClient,
    assert_problem,
    conference_body,
    fields_of,
    talk_body,
)
from tests.http_edge import assert_docs_are_local, assert_security_headers, preflight

DEEP = "[" * 1000


def bodyless_commands(api: Api) -> list[tuple[str, str]]:
    """Every command without a body, on resources that exist."""
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    api.ok("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 4})
    api.schedule(conference_id, talk_id, "Main", "2026-06-01T10:00:00")
    return [
        ("POST", f"/talks/{talk_id}/accept"),
        ("POST", f"/talks/{talk_id}/withdraw"),
        ("DELETE", f"/conferences/{conference_id}/schedule/{talk_id}"),
        ("DELETE", f"/talks/{talk_id}/ratings/ann"),
        ("DELETE", f"/conferences/{conference_id}/stages/Side"),
    ]


def test_every_bodyless_command_is_covered(api: Api) -> None:
    document = api.ok("GET", "/openapi.json")
    bodyless = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method != "get" and "requestBody" not in operation
    }
    assert bodyless == {
        ("POST", "/talks/{talk_id}/accept"),
        ("POST", "/talks/{talk_id}/withdraw"),
        ("DELETE", "/conferences/{conference_id}/schedule/{talk_id}"),
        ("DELETE", "/talks/{talk_id}/ratings/{attendee_id}"),
        ("DELETE", "/conferences/{conference_id}/stages/{name}"),
    }


# --- reproducer: a deeply nested body under an Idempotency-Key (was a RecursionError) ---


@pytest.mark.parametrize(
    "path",
    [
        f"/talks/{uuid.uuid4()}/accept",
        f"/talks/{uuid.uuid4()}/withdraw",
        f"/conferences/{uuid.uuid4()}/schedule/{uuid.uuid4()}",
    ],
)
@pytest.mark.parametrize("content_type", [None, "application/json"])
def test_a_deeply_nested_body_with_an_idempotency_key_is_a_4xx(
    api: Api, path: str, content_type: str | None
) -> None:
    method = "DELETE" if "/schedule/" in path else "POST"
    headers = {"Idempotency-Key": "k1"}
    if content_type:
        headers["Content-Type"] = content_type
    response = api.client.request(method, path, content=DEEP, headers=headers)
    if content_type:
        assert_problem(response, 400, "malformed-json")
    else:
        assert_problem(response, 415, "unsupported-media-type")
    assert api.outbox_size() == 0


def test_a_deeply_nested_body_of_a_command_with_a_body_is_a_4xx(api: Api) -> None:
    headers = {"Idempotency-Key": "k2", "Content-Type": "application/json"}
    for path in ("/conferences", f"/talks/{uuid.uuid4()}/reject"):
        response = api.client.post(path, content=DEEP, headers=headers)
        assert 400 <= response.status_code < 500, response.text
    assert api.outbox_size() == 0


# --- body-less commands: no body, or JSON ---------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/x-www-form-urlencoded", "reason=csrf"),
        ("text/plain", '{"a": 1}'),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, "anything"),
    ],
)
def test_a_bodyless_command_refuses_a_body_that_is_not_json(
    api: Api, content_type: str | None, content: str
) -> None:
    commands = bodyless_commands(api)
    before = api.outbox_size()
    headers = {"Content-Type": content_type} if content_type else {}
    for method, path in commands:
        response = api.client.request(method, path, content=content, headers=headers)
        assert_problem(response, 415, "unsupported-media-type")
    assert api.outbox_size() == before


def test_a_bodyless_command_takes_no_body_or_json(api: Api) -> None:
    talk_id = api.talk(api.conference())
    accepted = api.client.post(f"/talks/{talk_id}/accept")
    withdrawn = api.client.post(
        f"/talks/{talk_id}/withdraw", content="{}", headers={"Content-Type": "application/json"}
    )
    assert (accepted.status_code, withdrawn.status_code) == (200, 200)


# --- If-Match: strong comparison (RFC 9110) -------------------------------------------


@pytest.mark.parametrize("if_match", ['"01"', '"001"', '"+1"', 'W/"1"', '"1.0"'])
def test_if_match_compares_entity_tags_character_for_character(api: Api, if_match: str) -> None:
    talk_id = api.talk(api.conference())
    response = api.send("POST", f"/talks/{talk_id}/accept", **{"If-Match": if_match})
    assert_problem(response, 412, "precondition-failed")
    assert len(api.outbox(talk_id)) == 1


# --- Idempotency-Key: 1-200 visible ASCII characters ----------------------------------


@pytest.mark.parametrize("raw", ["caf\xe9".encode(), "ключ".encode(), b"a b", b"caf\xe9"])
def test_an_idempotency_key_beyond_visible_ascii_is_400(api: Api, raw: bytes) -> None:
    response = api.client.post(
        "/conferences",
        json=conference_body(),
        headers=[("Idempotency-Key", raw)],
    )
    problem = assert_problem(response, 400, "invalid-idempotency-key")
    assert "Idempotency-Key" in problem["detail"]
    assert api.outbox_size() == 0


def test_every_visible_ascii_character_may_be_in_a_key(api: Api) -> None:
    visible = "".join(chr(c) for c in range(0x21, 0x7F))
    api.ok("POST", "/conferences", conference_body(), **{"Idempotency-Key": visible})


# --- invisible names and titles -------------------------------------------------------

INVISIBLE = ["\u200b", "\u202e\u202e\u202e", "\ufeff", "\u200b \u200d\u2060", "\u3164\u3164\u3164"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_names_and_titles_of_invisible_characters_are_422(api: Api, text: str) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id)
    speaker = {"name": text, "company": text}
    attempts = [
        ("POST", "/conferences", conference_body(name=text), {"name"}),
        ("POST", "/conferences", conference_body(stages=[text]), {"stages"}),
        ("PATCH", f"/conferences/{conference_id}", {"name": text}, {"name"}),
        ("POST", f"/conferences/{conference_id}/stages", {"name": text}, {"name"}),
        ("POST", "/talks", talk_body(conference_id, title=text * 3), {"title"}),
        ("POST", "/talks", talk_body(conference_id, speakers=[speaker]), {"speakers"}),
        ("PATCH", f"/talks/{talk_id}", {"title": text * 3}, {"title"}),
        ("POST", f"/talks/{talk_id}/reject", {"reason": text}, {"reason"}),
    ]
    before = api.outbox_size()
    for method, path, body, fields in attempts:
        problem = assert_problem(api.send(method, path, body), 422, "invalid-input")
        assert fields <= fields_of(problem), (path, problem)
    assert api.outbox_size() == before


# --- security headers, 405 and OPTIONS, CORS, docs ------------------------------------


def test_every_answer_carries_the_security_headers(api: Api) -> None:
    conference_id = api.conference()
    assert_security_headers(api.send("GET", "/health/live"), write=False)
    assert_security_headers(api.send("GET", "/nowhere"), write=False)
    assert_security_headers(api.send("PATCH", f"/conferences/{conference_id}", {}), write=True)
    assert_security_headers(api.send("POST", "/conferences", conference_body()), write=True)
    assert_security_headers(api.send("POST", "/conferences", {"name": ""}), write=True)
    assert_security_headers(api.send("GET", "/conferences"), write=False)  # 405


def test_a_wrong_method_lists_every_method_of_the_path(api: Api) -> None:
    response = api.send("GET", f"/talks/{uuid.uuid4()}/ratings/ann")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["Allow"] == "PUT, DELETE"


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/conferences", "POST"),
        (f"/talks/{uuid.uuid4()}", "PATCH"),
        (f"/talks/{uuid.uuid4()}/ratings/ann", "PUT, DELETE"),
        (f"/conferences/{uuid.uuid4()}/schedule/{uuid.uuid4()}", "PUT, DELETE"),
        ("/health/live", "GET"),
        ("/openapi.json", "GET, HEAD"),
    ],
)
def test_options_answers_204_with_allow(api: Api, path: str, allow: str) -> None:
    response = api.client.options(path)
    assert response.status_code == 204
    assert response.headers["Allow"] == allow
    assert response.content == b""


def test_options_on_an_unknown_path_is_404(api: Api) -> None:
    assert_problem(api.client.options("/nowhere"), 404, "not-found")


def test_cors_is_off_by_default(api: Api) -> None:
    response = preflight(api.client, "/conferences", "POST", "https://app.example.org")
    assert "access-control-allow-origin" not in response.headers
    simple = api.client.get("/health/live", headers={"Origin": "https://app.example.org"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allows_the_configured_origins(database_url: str, tmp_path: Path) -> None:
    settings = load_settings(
        database_url=database_url,
        cors_allow_origins="https://app.example.org, https://admin.example.org",
    )
    with TestClient(create_app(settings)) as client:
        allowed = preflight(client, "/conferences", "POST", "https://admin.example.org")
        refused = preflight(client, "/conferences", "POST", "https://evil.example")
        simple = client.get("/health/live", headers={"Origin": "https://app.example.org"})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://admin.example.org"
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "if-match", "idempotency-key", "content-type"):
        assert header in allowed_headers
    assert_security_headers(allowed, write=False)
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    exposed = simple.headers["access-control-expose-headers"].lower()
    for header in ("etag", "location", "idempotent-replayed", "consistency-token"):
        assert header in exposed


def test_the_docs_are_served_without_a_cdn(api: Api) -> None:
    assert_docs_are_local(api.client)
