"""The README's curl story, end to end: write API -> outbox -> projector -> search API."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.conftest import Stack, wait_until


def _conference(stack: Stack) -> str:
    created = stack.send(
        "POST",
        "/conferences",
        {
            "name": f"KubeCon {uuid.uuid4().hex[:6]}",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-02",
            "timezone": "Europe/Berlin",
            "stages": ["Main", "Side"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"].endswith(created.json()["id"])
    conference_id: str = created.json()["id"]
    return conference_id


def _submit(stack: Stack, conference_id: str, title: str, speaker: str, tags: list[str]) -> str:
    response = stack.send(
        "POST",
        "/talks",
        {
            "conference_id": conference_id,
            "title": title,
            "abstract": f"All about {title.lower()}.",
            "speakers": [{"name": speaker, "company": "Acme"}],
            "tags": tags,
            "level": "intermediate",
            "format": "talk",
        },
    )
    assert response.status_code == 201, response.text
    talk_id: str = response.json()["id"]
    return talk_id


def _talk_when(stack: Stack, talk_id: str, condition: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def check() -> bool:
        response = stack.query.get(f"/talks/{talk_id}")
        if response.status_code != 200:
            return False
        found.update(response.json())
        return bool(condition(found))

    wait_until(check, what=f"talk {talk_id} on the read side")
    return found


def test_the_curl_story(stack: Stack) -> None:
    run_curl_story(stack)


def run_curl_story(stack: Stack) -> None:
    """The README's story; the distributed suite runs it unchanged on its own stack."""
    conference_id = _conference(stack)
    scaling = _submit(
        stack, conference_id, "Scaling Kubernetes clusters", "Ada Lovelace", ["kubernetes"]
    )
    other = _submit(stack, conference_id, "Typing Python at scale", "Guido", ["python"])
    for talk_id in (scaling, other):
        assert stack.ok("POST", f"/talks/{talk_id}/accept")["version"] == 2
    schedule = stack.ok(
        "PUT",
        f"/conferences/{conference_id}/schedule/{scaling}",
        {"stage": "Main", "starts_at": "2027-03-02T10:00:00+01:00"},
    )
    assert schedule["version"] == 2
    stack.ok(
        "PUT",
        f"/conferences/{conference_id}/schedule/{other}",
        {"stage": "Side", "starts_at": "2027-03-02T10:00:00+01:00"},
    )
    for attendee, stars in (("ann", 5), ("bob", 4), ("cy", 4)):
        stack.ok("PUT", f"/talks/{scaling}/ratings/{attendee}", {"stars": stars})
    stack.ok("PUT", f"/talks/{other}/ratings/ann", {"stars": 3})

    talk = _talk_when(stack, scaling, lambda t: t["rating"]["count"] == 3)
    assert talk["status"] == "scheduled"
    assert talk["version"] == 2
    assert talk["rating"] == {"average": 4.33, "count": 3}
    assert talk["schedule"]["stage"] == "Main"
    assert talk["schedule"]["day"] == "2027-03-02"
    _talk_when(stack, other, lambda t: t["rating"]["count"] == 1)

    search = stack.query.get(
        "/talks", params={"q": "scale kubernetes", "conference_id": conference_id}
    )
    assert search.status_code == 200
    body = search.json()
    assert body["items"][0]["id"] == scaling
    assert "highlight" in body["items"][0]
    assert {"value": "kubernetes", "count": 1} in body["facets"]["tag"]

    top = stack.query.get(f"/conferences/{conference_id}/top-talks", params={"day": "2027-03-02"})
    assert [item["id"] for item in top.json()["items"]] == [scaling, other]

    day = stack.query.get(f"/conferences/{conference_id}/schedule", params={"day": "2027-03-02"})
    stages = {s["name"]: s["slots"] for s in day.json()["days"][0]["stages"]}
    assert [slot["talk_id"] for slot in stages["Main"]] == [scaling]

    conference = stack.query.get(f"/conferences/{conference_id}").json()
    assert conference["talk_counts"].get("scheduled") == 2
