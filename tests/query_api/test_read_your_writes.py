"""Every read endpoint waits for a Consistency-Token, within wait_ms (ADR 080)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from query_service.documents import TalkDocument
from query_service.read_store.port import WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from service_conventions.consistency.token import ConsistencyTokens, Mark, MarkKind
from tests.contract.read_store.documents import conference, new_id, talk

PROBLEM = "application/problem+json"


@pytest.fixture
def conf_id(store: SqliteReadStore) -> str:
    conference_id = new_id("conf")
    store.write(WriteBatch(conferences=[conference(conference_id)]))
    return conference_id


@pytest.fixture
def doc(store: SqliteReadStore, conf_id: str) -> TalkDocument:
    """A talk at version 1."""
    written = replace(talk(conf_id), talk_version=1)
    store.write(WriteBatch(talks=[written]))
    return written


def reads(conf_id: str, talk_id: str) -> list[str]:
    """Every read endpoint, JSON and pages."""
    return [
        "/talks",
        f"/talks/{talk_id}",
        f"/conferences/{conf_id}",
        f"/conferences/{conf_id}/schedule",
        f"/conferences/{conf_id}/top-talks",
        "/speakers",
        "/",
    ]


def test_a_reached_token_answers_at_once_on_every_read(
    client: TestClient, tokens: ConsistencyTokens, conf_id: str, doc: TalkDocument
) -> None:
    token = tokens.issue([Mark(MarkKind.TALK, doc.id, 1), Mark(MarkKind.CONFERENCE, conf_id, 1)])
    for path in reads(conf_id, doc.id):
        started = time.perf_counter()
        answer = client.get(path, headers={"Consistency-Token": token})
        assert answer.status_code == 200, (path, answer.text)
        assert time.perf_counter() - started < 1.0, path


def test_a_read_waits_until_the_read_model_reflects_the_token(
    client: TestClient,
    store: SqliteReadStore,
    tokens: ConsistencyTokens,
    conf_id: str,
    doc: TalkDocument,
) -> None:
    token = tokens.issue([Mark(MarkKind.TALK, doc.id, 2)])
    after = replace(talk(conf_id, title="After", talk_id=doc.id), talk_version=2)
    later = threading.Timer(0.2, lambda: store.write(WriteBatch(talks=[after])))
    later.start()
    answer = client.get(f"/talks/{doc.id}", headers={"Consistency-Token": token})
    later.join()
    assert answer.status_code == 200
    assert (answer.json()["title"], answer.json()["version"]) == ("After", 2)


def test_past_wait_ms_a_read_answers_read_model_behind(
    client: TestClient, tokens: ConsistencyTokens, conf_id: str, doc: TalkDocument
) -> None:
    token = tokens.issue([Mark(MarkKind.TALK, doc.id, 2)])
    for path in reads(conf_id, doc.id)[:-1]:
        started = time.perf_counter()
        answer = client.get(path, params={"wait_ms": 50}, headers={"Consistency-Token": token})
        waited = time.perf_counter() - started
        assert answer.status_code == 503, path
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["type"] == "urn:conference-program:problem:read-model-behind"
        assert 0.05 <= waited < 1.5, (path, waited)


def test_a_page_past_wait_ms_shows_the_programme_unavailable(
    client: TestClient, store: SqliteReadStore, tokens: ConsistencyTokens, conf_id: str
) -> None:
    token = tokens.issue([Mark(MarkKind.CONFERENCE, conf_id, 5)])
    page = client.get(
        f"/conferences/{conf_id}",
        params={"wait_ms": 0},
        headers={"Consistency-Token": token, "Accept": "text/html"},
    )
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")


def test_the_default_wait_is_two_seconds(
    client: TestClient, tokens: ConsistencyTokens, conf_id: str
) -> None:
    token = tokens.issue([Mark(MarkKind.CONFERENCE, conf_id, 2)])
    started = time.perf_counter()
    answer = client.get(f"/conferences/{conf_id}", headers={"Consistency-Token": token})
    assert answer.status_code == 503
    assert 2.0 <= time.perf_counter() - started < 3.5


def test_tokens_joined_by_a_client_wait_for_both(
    client: TestClient, tokens: ConsistencyTokens, conf_id: str, doc: TalkDocument
) -> None:
    reached = tokens.issue([Mark(MarkKind.TALK, doc.id, 1)])
    behind = tokens.issue([Mark(MarkKind.CONFERENCE, conf_id, 3)])
    path = f"/talks/{doc.id}"
    joined = {"Consistency-Token": f"{reached}, {behind}"}
    assert client.get(path, params={"wait_ms": 0}, headers=joined).status_code == 503
    two_headers = [("Consistency-Token", reached), ("Consistency-Token", behind)]
    assert client.get(path, params={"wait_ms": 0}, headers=two_headers).status_code == 503
    assert client.get(path, headers={"Consistency-Token": reached}).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["garbage", "ct1.W10.bad-mac", "ct2.W10.x", "ct1" + "." * 3, "t" * 9000],
)
def test_a_malformed_token_is_a_422_and_waits_for_nothing(
    client: TestClient, conf_id: str, token: str
) -> None:
    answer = client.get(f"/conferences/{conf_id}", headers={"Consistency-Token": token})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert [e["field"] for e in answer.json()["errors"]] == ["Consistency-Token"]


def test_a_token_of_another_deployment_is_a_422(client: TestClient, conf_id: str) -> None:
    foreign = ConsistencyTokens(b"another deployment's key").issue(
        [Mark(MarkKind.CONFERENCE, conf_id, 1)]
    )
    answer = client.get(f"/conferences/{conf_id}", headers={"Consistency-Token": foreign})
    assert answer.status_code == 422
    assert "not signed by this service" in answer.json()["detail"]


@pytest.mark.parametrize("wait_ms", ["-1", "10001", "soon", "1.5"])
def test_wait_ms_out_of_range_is_a_422(
    client: TestClient, tokens: ConsistencyTokens, conf_id: str, wait_ms: str
) -> None:
    token = tokens.issue([Mark(MarkKind.CONFERENCE, conf_id, 1)])
    answer = client.get(
        f"/conferences/{conf_id}", params={"wait_ms": wait_ms}, headers={"Consistency-Token": token}
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["wait_ms"]


def test_without_a_token_a_read_never_waits(client: TestClient, conf_id: str) -> None:
    assert client.get(f"/conferences/{conf_id}", params={"wait_ms": 10_000}).status_code == 200
