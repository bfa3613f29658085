"""The hardened edge of the search API (ADR 069): signed cursors that no forged, foreign,
damaged or expired one passes; security headers, 405/OPTIONS, CORS and local docs."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from query_service.api.app import create_api
from query_service.api.cursor_signing import CursorSigner
from query_service.projector.projector import Projector
from query_service.read_store.sqlite import SqliteReadStore
from tests.http_edge import assert_docs_are_local, assert_security_headers, preflight
from tests.query_api.support import Programme

PROBLEM = "application/problem+json"


def b64(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def unb64(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def assert_cursor_refused(response: Any, reason: str = "") -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:conference-program:problem:invalid-parameter"
    assert [error["field"] for error in problem["errors"]] == ["cursor"]
    assert reason in problem["detail"]


@pytest.fixture
def next_cursor(client: TestClient, programme: Programme, projector: Projector) -> str:
    """A real cursor: the first page of two talks sorted by rating."""
    conference = programme.conference()
    for title in ("First talk", "Second talk"):
        programme.submit(conference, title=title)
    projector.run_until_idle()
    body = client.get("/talks", params={"sort": "rating", "size": 1}).json()
    cursor: str = body["next_cursor"]
    assert client.get("/talks", params={"sort": "rating", "cursor": cursor}).status_code == 200
    return cursor


def test_a_cursor_of_deeply_nested_json_is_422(client: TestClient, cursors: CursorSigner) -> None:
    deep = b64("[" * 1400)
    assert_cursor_refused(client.get("/talks", params={"cursor": deep}))
    # Signed with the service's own key it reaches the decoder, which refuses it too.
    sealed = cursors.seal(deep)
    assert_cursor_refused(client.get("/talks", params={"cursor": sealed}), "not one")


@pytest.mark.parametrize("value", [2**63, math.nan, math.inf, -math.inf])
def test_a_cursor_whose_key_no_store_can_bind_is_422(
    client: TestClient, cursors: CursorSigner, next_cursor: str, value: float
) -> None:
    inner = cursors.open(next_cursor)
    assert inner is not None
    payload = unb64(inner)
    payload["k"][0] = value
    forged = b64(json.dumps(payload))
    params = {"sort": "rating"}
    assert_cursor_refused(client.get("/talks", params={**params, "cursor": forged}))
    resealed = cursors.seal(forged)
    assert_cursor_refused(client.get("/talks", params={**params, "cursor": resealed}), "damaged")


def test_a_cursor_of_another_key_or_query_is_422(
    client: TestClient, cursors: CursorSigner, next_cursor: str
) -> None:
    other = CursorSigner.ephemeral().seal(cursors.open(next_cursor))
    params = {"sort": "rating", "cursor": other}
    assert_cursor_refused(client.get("/talks", params=params), "not signed")
    foreign = client.get("/talks", params={"sort": "title", "cursor": next_cursor})
    assert_cursor_refused(foreign, "another query")
    tampered = next_cursor[:-2] + ("AA" if not next_cursor.endswith("AA") else "BB")
    assert_cursor_refused(client.get("/talks", params={"sort": "rating", "cursor": tampered}))


def test_an_expired_cursor_is_422(store: SqliteReadStore) -> None:
    now = [1_800_000_000.0]
    cursors = CursorSigner(b"k" * 32, max_age_seconds=60, clock=lambda: now[0])
    sealed = cursors.seal(b64(json.dumps({"f": "x", "k": []})))
    with TestClient(create_api(store, cursors=cursors)) as client:
        now[0] += 61
        assert_cursor_refused(client.get("/talks", params={"cursor": sealed}), "expired")


# --- security headers, 405 and OPTIONS, CORS, docs ------------------------------------


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/talks", "/nowhere", "/talks?size=0", "/health/live"):
        assert_security_headers(client.get(path), write=False)
    assert_security_headers(client.post("/talks"), write=True)


@pytest.mark.parametrize(
    ("path", "allow"),
    [("/talks", "GET"), ("/talks/t1", "GET"), ("/speakers", "GET"), ("/openapi.json", "GET, HEAD")],
)
def test_options_answers_204_with_allow(client: TestClient, path: str, allow: str) -> None:
    response = client.options(path)
    assert response.status_code == 204
    assert response.headers["Allow"] == allow
    wrong = client.delete(path)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == allow


def test_options_on_an_unknown_path_is_404(client: TestClient) -> None:
    response = client.options("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = preflight(client, "/talks", "GET", "https://app.example.org")
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_the_configured_origins(store: SqliteReadStore) -> None:
    app = create_api(store, cors_allow_origins=("https://app.example.org",))
    with TestClient(app) as client:
        allowed = preflight(client, "/talks", "GET", "https://app.example.org")
        simple = client.get("/talks", headers={"Origin": "https://app.example.org"})
        other = client.get("/talks", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "consistency-token" in allowed.headers["access-control-allow-headers"].lower()
    assert simple.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "consistency-token" in simple.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in other.headers


def test_the_docs_are_served_without_a_cdn(client: TestClient) -> None:
    assert_docs_are_local(client)
