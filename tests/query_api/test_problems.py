"""Every malformed parameter gets a 422 problem naming it; nothing reaches a 500."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from query_service.api.app import create_api
from query_service.api.cursor_signing import CursorSigner
from query_service.read_store.port import ReadStoreUnavailable
from query_service.read_store.sqlite import SqliteReadStore

PROBLEM = "application/problem+json"

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("/talks", {"q": ""}, "q"),
    ("/talks", {"q": "   "}, "q"),
    ("/talks", {"q": "x" * 201}, "q"),
    ("/talks", {"conference_id": ""}, "conference_id"),
    ("/talks", {"tag": "not a tag"}, "tag"),
    ("/talks", {"tag": "x" * 31}, "tag"),
    ("/talks", {"level": "expert"}, "level"),
    ("/talks", {"format": "panel"}, "format"),
    ("/talks", {"language": "xx"}, "language"),
    ("/talks", {"language": "eng"}, "language"),
    ("/talks", {"language": ""}, "language"),
    ("/talks", {"language": ["en"] * 21}, "language"),
    ("/talks", {"status": "done"}, "status"),
    ("/talks", {"stage": ""}, "stage"),
    ("/talks", {"stage": "s" * 61}, "stage"),
    ("/talks", {"day": "2025-02-30"}, "day"),
    ("/talks", {"day": "1700000000"}, "day"),
    ("/talks", {"day": "tomorrow"}, "day"),
    ("/talks", {"sort": "popularity"}, "sort"),
    ("/talks", {"size": "0"}, "size"),
    ("/talks", {"size": "101"}, "size"),
    ("/talks", {"size": "ten"}, "size"),
    ("/talks", {"cursor": "garbage"}, "cursor"),
    ("/talks", {"cursor": ""}, "cursor"),
    ("/talks", {"level": ["beginner"] * 21}, "level"),
    ("/conferences/c/schedule", {"day": "2025-13-01"}, "day"),
    ("/conferences/c/top-talks", {"day": "01/05/2025"}, "day"),
    ("/conferences/c/top-talks", {"limit": "0"}, "limit"),
    ("/conferences/c/top-talks", {"limit": "101"}, "limit"),
    ("/conferences/c/top-talks", {"min_ratings": "-1"}, "min_ratings"),
    ("/conferences/c/top-talks", {"min_ratings": "many"}, "min_ratings"),
    ("/speakers", {"q": ""}, "q"),
    ("/speakers", {"q": "  "}, "q"),
    ("/speakers", {"q": "x" * 101}, "q"),
    ("/speakers", {"conference_id": ""}, "conference_id"),
]


@pytest.mark.parametrize(("path", "params", "field"), INVALID)
def test_malformed_parameters_are_422_problems(
    client: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:conference-program:problem:invalid-parameter"
    assert body["status"] == 422
    assert body["title"]
    assert field in body["detail"]
    assert field in [error["field"] for error in body["errors"]]


def test_a_cursor_of_another_query_is_refused(client: TestClient, cursors: CursorSigner) -> None:
    from query_service.read_store.cursor import encode_cursor
    from query_service.read_store.port import TalkQuery

    cursor = cursors.seal(encode_cursor(TalkQuery(sort=None), [0, 0.0, "id"]))
    assert client.get("/talks", params={"cursor": cursor}).status_code == 200
    response = client.get("/talks", params={"cursor": cursor, "sort": "title"})
    assert response.status_code == 422


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    missing = client.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong_method = client.post("/talks")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == PROBLEM


NASTY = [
    "'; DROP TABLE g1_talks; --",
    '"unbalanced',
    "NEAR(a b)",
    "title:foo",
    "a OR b AND NOT c",
    "*",
    "^start",
    "💥 émoji ünïcode",
    "\x00",
    "{}",
    "-",
]


@pytest.mark.parametrize("text", NASTY)
def test_no_input_reaches_a_500(client: TestClient, text: str) -> None:
    requests = [
        ("/talks", {"q": text}),
        ("/talks", {"q": text, "sort": "relevance"}),
        ("/talks", {"tag": text}),
        ("/talks", {"stage": text}),
        ("/talks", {"conference_id": text}),
        ("/talks", {"cursor": text}),
        (f"/talks/{text}", {}),
        (f"/conferences/{text}", {}),
        (f"/conferences/{text}/schedule", {}),
        (f"/conferences/{text}/top-talks", {}),
        ("/speakers", {"q": text}),
        ("/speakers", {"conference_id": text}),
    ]
    for path, params in requests:
        if not path.isprintable():
            continue  # a URL path cannot carry control characters at all
        response = client.get(path, params=params)
        assert response.status_code < 500, (path, params, response.text)


def test_the_catch_all_answers_a_problem(store: SqliteReadStore) -> None:
    app = create_api(store)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:conference-program:problem:internal-error"


def test_not_ready_without_a_read_store(tmp_path: Path) -> None:
    store = SqliteReadStore(tmp_path / "never-initialised.db")
    with TestClient(create_api(store), raise_server_exceptions=False) as client:
        assert client.get("/health/live").status_code == 200
        response = client.get("/health/ready")
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert client.get("/talks").status_code == 503


class SwitchableStore:
    """The real store, unreachable while ``down`` (what the API sees of an engine outage)."""

    def __init__(self, inner: SqliteReadStore) -> None:
        self._inner = inner
        self.down = False

    def __getattr__(self, name: str) -> Any:
        if self.down:

            def unreachable(*_: Any, **__: Any) -> None:
                raise ReadStoreUnavailable("cannot reach the engine (ConnectionError)")

            return unreachable
        return getattr(self._inner, name)


def test_an_outage_is_logged_once_each_way_and_answered_503(
    store: SqliteReadStore, caplog: pytest.LogCaptureFixture
) -> None:
    switchable = SwitchableStore(store)
    with (
        TestClient(create_api(switchable), raise_server_exceptions=False) as client,
        caplog.at_level(logging.INFO),
    ):
        switchable.down = True
        answers = {client.get("/talks", params={"q": "x"}).status_code for _ in range(50)}
        switchable.down = False
        assert client.get("/talks").status_code == 200
        assert client.get("/talks").status_code == 200
    assert answers == {503}
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2, lines
    assert lines[0].startswith("read store unavailable: cannot reach the engine")
    assert lines[1].startswith("read store is back after")
    assert "50 failed call(s)" in lines[1]
    assert not [r for r in caplog.records if r.exc_info], "an outage logged a traceback"


def test_problems_name_the_path_asked_for_and_keep_their_headers(client: TestClient) -> None:
    invalid = client.get("/talks", params={"size": "0"})
    assert invalid.json()["instance"] == "/talks"
    wrong_method = client.post("/talks")
    assert wrong_method.json()["instance"] == "/talks"
    assert wrong_method.headers["Allow"] == "GET"
