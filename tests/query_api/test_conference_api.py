"""Conference, schedule, top talks, speakers and health endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from query_service.projector.projector import Projector
from tests.query_api.support import Programme


@pytest.fixture
def conf(programme: Programme, projector: Projector) -> dict[str, str]:
    conf = programme.conference(timezone="America/New_York", stages=["Main", "Side"])
    talks: dict[str, str] = {"conf": conf}
    slots = {
        "opening": ("Main", "2025-05-01T13:00:00Z", [5, 5]),
        "second": ("Side", "2025-05-01T14:00:00Z", [5, 4, 5]),
        "late": ("Main", "2025-05-02T03:00:00Z", [3]),  # still May 1st in New York
        "day2": ("Main", "2025-05-02T14:00:00Z", [4]),
    }
    for name, (stage, start, ratings) in slots.items():
        talk_id = programme.submit(
            conf, title=name.title(), speakers=[{"name": f"Speaker {name}", "company": "Co"}]
        )
        programme.accept(talk_id)
        programme.schedule(conf, talk_id, stage, start, start.replace(":00:00", ":40:00"))
        for stars in ratings:
            programme.rate(talk_id, stars)
        talks[name] = talk_id
    talks["pending"] = programme.submit(
        conf, speakers=[{"name": "speaker  OPENING", "company": "Other"}]
    )
    withdrawn = programme.submit(conf, speakers=[{"name": "Gone", "company": None}])
    programme.withdraw(withdrawn)
    projector.run_until_idle()
    return talks


def _get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_conference(client: TestClient, conf: dict[str, str]) -> None:
    body = _get(client, f"/conferences/{conf['conf']}")
    assert body == {
        "id": conf["conf"],
        "name": "DevConf",
        "starts_on": "2025-05-01",
        "ends_on": "2025-05-02",
        "timezone": "America/New_York",
        "stages": ["Main", "Side"],
        "talk_counts": {
            "submitted": 1,
            "accepted": 0,
            "scheduled": 4,
            "rejected": 0,
            "withdrawn": 1,
        },
        "version": 5,
    }


def test_schedule_in_local_time(client: TestClient, conf: dict[str, str]) -> None:
    body = _get(client, f"/conferences/{conf['conf']}/schedule")
    assert body["conference_id"] == conf["conf"]
    assert body["timezone"] == "America/New_York"
    assert [d["date"] for d in body["days"]] == ["2025-05-01", "2025-05-02"]
    first = body["days"][0]
    assert [s["name"] for s in first["stages"]] == ["Main", "Side"]
    main = first["stages"][0]["slots"]
    assert [s["talk_id"] for s in main] == [conf["opening"], conf["late"]]
    assert main[0] == {
        "talk_id": conf["opening"],
        "title": "Opening",
        "speakers": [{"name": "Speaker opening", "company": "Co"}],
        "starts_at": "2025-05-01T09:00:00-04:00",
        "ends_at": "2025-05-01T09:40:00-04:00",
    }
    assert main[1]["starts_at"] == "2025-05-01T23:00:00-04:00"


def test_schedule_of_one_day(client: TestClient, conf: dict[str, str]) -> None:
    body = _get(client, f"/conferences/{conf['conf']}/schedule", day="2025-05-02")
    assert [d["date"] for d in body["days"]] == ["2025-05-02"]
    assert [s["talk_id"] for s in body["days"][0]["stages"][0]["slots"]] == [conf["day2"]]
    outside = _get(client, f"/conferences/{conf['conf']}/schedule", day="2030-01-01")
    assert outside["days"] == []


def test_top_talks(client: TestClient, conf: dict[str, str]) -> None:
    path = f"/conferences/{conf['conf']}/top-talks"
    day1 = _get(client, path, day="2025-05-01")
    assert [t["id"] for t in day1["items"]] == [conf["opening"], conf["second"], conf["late"]]
    assert day1["items"][0]["rating"] == {"average": 5.0, "count": 2}
    assert [t["id"] for t in _get(client, path, day="2025-05-01", limit=1)["items"]] == [
        conf["opening"]
    ]
    assert [t["id"] for t in _get(client, path, day="2025-05-01", min_ratings=3)["items"]] == [
        conf["second"]
    ]
    assert len(_get(client, path)["items"]) == 4


def test_speakers(client: TestClient, conf: dict[str, str]) -> None:
    body = _get(client, "/speakers", conference_id=conf["conf"])
    names = {s["name"].casefold(): s for s in body["items"]}
    assert "gone" not in names  # withdrawn talks do not count
    opening = names["speaker opening"]
    assert opening["talk_count"] == 2
    assert opening["companies"] == ["Co", "Other"]
    assert _get(client, "/speakers", q="opening")["items"][0]["talk_count"] == 2
    assert _get(client, "/speakers", q="nobody")["items"] == []


def test_health(client: TestClient) -> None:
    assert _get(client, "/health/live") == {"status": "ok"}
    assert _get(client, "/health/ready") == {"status": "ready"}


@pytest.mark.parametrize("suffix", ["", "/schedule", "/top-talks"])
def test_unknown_conference_is_a_404_problem(client: TestClient, suffix: str) -> None:
    response = client.get(f"/conferences/conf-nope{suffix}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:conference-program:problem:conference-not-found"
    assert body["status"] == 404
