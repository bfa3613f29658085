"""The programme pages over HTTP: HTML for browsers, the JSON API untouched for the rest,
pages for bad addresses, and the same token rule as the searches."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from query_service.bootstrap import create_app
from query_service.projector.projector import Projector
from tests.query_api.support import Programme
from tests.query_api.test_tokens import settings_for
from tests.tokens import RoleTokens

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _seed(programme: Programme, projector: Projector) -> tuple[str, str]:
    conference_id = programme.conference()
    talk_id = programme.submit(
        conference_id,
        title="Python <script>alert(1)</script> typing",
        abstract="Typing Python & friends",
        tags=["python"],
    )
    programme.accept(talk_id)
    programme.schedule(
        conference_id, talk_id, "Main", "2025-05-02T07:00:00+00:00", "2025-05-02T07:40:00+00:00"
    )
    programme.rate(talk_id, 4)
    projector.run_until_idle()
    return conference_id, talk_id


@pytest.fixture
def seeded(programme: Programme, projector: Projector) -> tuple[str, str]:
    return _seed(programme, projector)


def test_api_clients_keep_the_json_on_shared_addresses(
    client: TestClient, seeded: tuple[str, str]
) -> None:
    conference_id, talk_id = seeded
    for path in (f"/conferences/{conference_id}", f"/talks/{talk_id}"):
        for accept in ("*/*", "application/json", "application/json, text/html;q=0.5"):
            answer = client.get(path, headers={"Accept": accept})
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "application/json", accept
            assert answer.headers["vary"] == "Accept"
        assert client.get(path).headers["content-type"] == "application/json"
        page = client.get(path, headers=HTML)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["vary"] == "Accept"


def test_pages_escape_what_talks_say(client: TestClient, seeded: tuple[str, str]) -> None:
    _, talk_id = seeded
    for path in ("/?q=python", f"/talks/{talk_id}"):
        body = client.get(path, headers=HTML).text
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<mark>Python</mark>" in client.get("/?q=python").text


def test_the_search_page_answers_any_client(client: TestClient, seeded: tuple[str, str]) -> None:
    answer = client.get("/", params={"q": "  "})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert f'data-talk-id="{seeded[1]}"' in answer.text


@pytest.mark.parametrize(
    "path",
    ["/conferences/nope", "/talks/nope", "/conferences/" + "x" * 101],
)
def test_unknown_things_get_a_friendly_404_page(
    client: TestClient, seeded: tuple[str, str], path: str
) -> None:
    answer = client.get(path, headers=HTML)
    expected = 422 if "x" * 101 in path else 404
    assert answer.status_code == expected
    assert answer.headers["content-type"].startswith("text/html")
    assert "Go to the programme search" in answer.text
    json = client.get(path)
    assert json.status_code == expected
    assert json.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=expert", "level"),
        ("day=2025-13-01", "day"),
        ("tag=Not%20A%20Tag", "tag"),
        ("cursor=forged.1.abc", "cursor"),
        ("shown=-1", "shown"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_malformed_search_parameters_get_a_page_saying_what_was_wrong(
    client: TestClient, seeded: tuple[str, str], query: str, field: str
) -> None:
    answer = client.get(f"/?{query}", headers=HTML)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert f"<code>{field}</code>" in answer.text
    if field != "shown":
        json = client.get(f"/talks?{query}")
        assert json.status_code == 422
        assert json.headers["content-type"].startswith("application/problem+json")


def test_a_day_outside_the_conference_is_named_on_the_page(
    client: TestClient, seeded: tuple[str, str]
) -> None:
    conference_id, _ = seeded
    answer = client.get(f"/conferences/{conference_id}?day=2025-06-01", headers=HTML)
    assert answer.status_code == 422
    assert "2025-06-01 is not a day of DevConf (2025-05-01 to 2025-05-02)" in answer.text
    assert client.get(f"/conferences/{conference_id}?day=x", headers=HTML).status_code == 422


def test_the_conference_page_shows_the_chosen_day(
    client: TestClient, seeded: tuple[str, str]
) -> None:
    conference_id, talk_id = seeded
    day_one = client.get(f"/conferences/{conference_id}", headers=HTML).text
    assert 'aria-current="page">Day 1' in day_one
    assert f'data-slot-stage="Main" data-talk-id="{talk_id}"' not in day_one
    day_two = client.get(f"/conferences/{conference_id}?day=2025-05-02", headers=HTML).text
    assert 'aria-current="page">Day 2' in day_two
    assert f'data-slot-stage="Main" data-talk-id="{talk_id}"' in day_two
    assert "★ 4.00 (1)" in day_two


def test_pages_need_the_token_the_searches_need(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, require_token=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in ("/", "/conferences/any", "/talks/any"):
            assert client.get(path, headers=HTML).status_code == 401
        reader = RoleTokens(settings).header("reader")
        assert client.get("/", headers={**HTML, **reader}).status_code == 200
        assert client.get("/assets/programme/programme.js").status_code == 200
