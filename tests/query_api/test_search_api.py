"""``GET /talks`` and ``GET /talks/{id}`` over events fed through the projector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from query_service.projector.projector import Projector
from tests.query_api.support import Programme


@dataclass
class Seeded:
    conf: str
    k8s: str
    python: str
    workshop: str
    rejected: str


@pytest.fixture
def seeded(programme: Programme, projector: Projector) -> Seeded:
    conf = programme.conference()
    k8s = programme.submit(
        conf,
        title="Scaling Kubernetes clusters",
        abstract="Operators, autoscalers and <b>pain</b>.",
        speakers=[{"name": "Ada Lovelace", "company": "ACME"}],
        tags=["kubernetes", "ops"],
        level="advanced",
    )
    python = programme.submit(
        conf,
        title="Typing Python at scale",
        abstract="mypy in a monorepo",
        speakers=[{"name": "Grace Hopper", "company": None}],
        tags=["python"],
        language="fr",
    )
    workshop = programme.submit(
        conf,
        title="Hands-on Kubernetes",
        format="workshop",
        duration_minutes=120,
        tags=["kubernetes"],
        level="intermediate",
    )
    rejected = programme.submit(conf, title="Rejected idea")
    programme.reject(rejected)
    for talk_id, start in ((k8s, "2025-05-01T08:00:00Z"), (workshop, "2025-05-02T08:00:00Z")):
        programme.accept(talk_id)
        programme.schedule(conf, talk_id, "Main", start, start.replace("08:00", "09:00"))
    for stars in (5, 4):
        programme.rate(k8s, stars)
    programme.rate(workshop, 3)
    projector.run_until_idle()
    return Seeded(conf, k8s, python, workshop, rejected)


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/talks", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def test_a_talk_has_the_contract_shape(client: TestClient, seeded: Seeded) -> None:
    response = client.get(f"/talks/{seeded.k8s}")
    assert response.status_code == 200
    talk = response.json()
    assert talk == {
        "id": seeded.k8s,
        "conference_id": seeded.conf,
        "title": "Scaling Kubernetes clusters",
        "abstract": "Operators, autoscalers and <b>pain</b>.",
        "speakers": [{"name": "Ada Lovelace", "company": "ACME"}],
        "tags": ["kubernetes", "ops"],
        "level": "advanced",
        "format": "talk",
        "duration_minutes": 40,
        "language": "en",
        "status": "scheduled",
        "version": 2,
        "rating": {"average": 4.5, "count": 2},
        "schedule": {
            "stage": "Main",
            "starts_at": "2025-05-01T10:00:00+02:00",
            "ends_at": "2025-05-01T11:00:00+02:00",
            "day": "2025-05-01",
        },
        "submitted_at": talk["submitted_at"],
    }
    assert client.get(f"/talks/{seeded.python}").json()["schedule"] is None


def test_an_unknown_talk_is_a_404_problem(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/talks/talk-nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:conference-program:problem:talk-not-found"


def test_search_shape_and_default_order(client: TestClient, seeded: Seeded) -> None:
    body = _search(client, conference_id=seeded.conf)
    assert set(body) == {"total", "items", "facets", "next_cursor"}
    assert body["total"] == 4
    assert body["next_cursor"] is None
    # Without q: by start time, unscheduled last.
    assert _ids(body)[:2] == [seeded.k8s, seeded.workshop]
    assert set(body["facets"]) == {"tag", "level", "format", "language", "status", "stage", "day"}
    assert body["facets"]["language"] == [
        {"value": "en", "count": 3},
        {"value": "fr", "count": 1},
    ]
    assert {"value": "kubernetes", "count": 2} in body["facets"]["tag"]
    assert body["facets"]["status"] == [
        {"value": "scheduled", "count": 2},
        {"value": "rejected", "count": 1},
        {"value": "submitted", "count": 1},
    ]
    assert body["items"][0]["highlight"] == {}


def test_full_text_with_highlights(client: TestClient, seeded: Seeded) -> None:
    body = _search(client, q="kubernetes", conference_id=seeded.conf)
    assert set(_ids(body)) == {seeded.k8s, seeded.workshop}
    first = body["items"][0]
    assert any("<em>" in s for s in first["highlight"]["title"])
    stemmed = _search(client, q="scaling")
    assert set(_ids(stemmed)) == {seeded.k8s, seeded.python}
    typo = _search(client, q="kuberntes", conference_id=seeded.conf)
    assert set(_ids(typo)) == {seeded.k8s, seeded.workshop}
    speaker = _search(client, q="hopper")
    assert _ids(speaker) == [seeded.python]
    assert speaker["items"][0]["highlight"]["speakers"] == ["Grace <em>Hopper</em>"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": ["kubernetes"]}, {"k8s", "workshop"}),
        ({"tag": ["kubernetes", "ops"]}, {"k8s"}),
        ({"tag": ["KUBERNETES"]}, {"k8s", "workshop"}),
        ({"level": ["advanced", "intermediate"]}, {"k8s", "workshop"}),
        ({"format": ["workshop"]}, {"workshop"}),
        ({"language": ["fr"]}, {"python"}),
        ({"language": ["FR"]}, {"python"}),
        ({"language": ["de", "fr"]}, {"python"}),
        ({"language": ["en"]}, {"k8s", "workshop", "rejected"}),
        ({"status": ["scheduled"]}, {"k8s", "workshop"}),
        ({"status": ["rejected", "submitted"]}, {"rejected", "python"}),
        ({"stage": ["Main"]}, {"k8s", "workshop"}),
        ({"day": ["2025-05-02"]}, {"workshop"}),
        ({"day": ["2025-05-01", "2025-05-02"]}, {"k8s", "workshop"}),
        ({"q": "kubernetes", "format": ["talk"]}, {"k8s"}),
    ],
)
def test_filters(
    client: TestClient, seeded: Seeded, params: dict[str, Any], expected: set[str]
) -> None:
    body = _search(client, conference_id=seeded.conf, **params)
    names = {getattr(seeded, name): name for name in ("k8s", "python", "workshop", "rejected")}
    assert {names[i] for i in _ids(body)} == expected
    assert body["total"] == len(expected)


def test_conference_filter(client: TestClient, seeded: Seeded) -> None:
    assert _search(client, conference_id="conf-unknown")["total"] == 0


@pytest.mark.parametrize(
    ("sort", "first"),
    [("rating", "k8s"), ("starts_at", "k8s"), ("newest", "rejected"), ("title", "workshop")],
)
def test_sorts(client: TestClient, seeded: Seeded, sort: str, first: str) -> None:
    body = _search(client, conference_id=seeded.conf, sort=sort)
    assert body["items"][0]["id"] == getattr(seeded, first)


def test_relevance_is_the_default_with_q(client: TestClient, seeded: Seeded) -> None:
    default = _search(client, q="kubernetes scaling", conference_id=seeded.conf)
    explicit = _search(client, q="kubernetes scaling", conference_id=seeded.conf, sort="relevance")
    assert _ids(default) == _ids(explicit) == [seeded.k8s]


def test_cursor_paging(client: TestClient, seeded: Seeded) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"conference_id": seeded.conf, "size": 1, "sort": "rating"}
    while True:
        body = _search(client, **params)
        seen += _ids(body)
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert sorted(seen) == sorted([seeded.k8s, seeded.python, seeded.workshop, seeded.rejected])
