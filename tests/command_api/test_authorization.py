"""Who may do what (SPEC section 4), endpoint by endpoint and caller by caller.

Every write endpoint answers 401 with a ``WWW-Authenticate`` challenge without a valid
token, 403 to a caller whose roles or ownership do not allow it, and its success to one
who may; a refused request changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from command_service.settings import Settings
from tests.command_api.conftest import Api, assert_problem, conference_body, talk_body
from tests.tokens import refused_tokens

CALLERS: dict[str, tuple[str, ...]] = {
    "organizer": ("olga", "organizer"),
    "submitting speaker": ("sam", "speaker"),
    "other speaker": ("sue", "speaker"),
    "rating attendee": ("ann", "attendee"),
    "other attendee": ("bob", "attendee"),
    "no role": ("nemo",),
    "speaker and attendee": ("ann", "speaker", "attendee"),
}
"""Name -> (subject, roles). The talks below are submitted by ``sam``; ``ann`` rated."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str]
    body: dict[str, Any] | None = None
    success: int = 200


ORGANIZER_ONLY = frozenset({"organizer"})
ENDPOINTS = {
    "create conference": Endpoint(
        "POST", "/conferences", ORGANIZER_ONLY, conference_body(), success=201
    ),
    "rename conference": Endpoint("PATCH", "/conferences/{c}", ORGANIZER_ONLY, {"name": "New"}),
    "add stage": Endpoint("POST", "/conferences/{c}/stages", ORGANIZER_ONLY, {"name": "Loft"}),
    "remove stage": Endpoint("DELETE", "/conferences/{c}/stages/Side", ORGANIZER_ONLY),
    "schedule": Endpoint(
        "PUT",
        "/conferences/{c}/schedule/{accepted}",
        ORGANIZER_ONLY,
        {"stage": "Main", "starts_at": "2026-06-02T10:00:00"},
    ),
    "unschedule": Endpoint("DELETE", "/conferences/{c}/schedule/{scheduled}", ORGANIZER_ONLY),
    "submit talk": Endpoint(
        "POST",
        "/talks",
        frozenset({"organizer", "submitting speaker", "other speaker", "speaker and attendee"}),
        talk_body("{c}"),
        success=201,
    ),
    "edit talk": Endpoint(
        "PATCH",
        "/talks/{submitted}",
        frozenset({"organizer", "submitting speaker"}),
        {"title": "A new title"},
    ),
    "accept talk": Endpoint("POST", "/talks/{submitted}/accept", ORGANIZER_ONLY),
    "reject talk": Endpoint("POST", "/talks/{submitted}/reject", ORGANIZER_ONLY, {"reason": "no"}),
    "withdraw talk": Endpoint(
        "POST", "/talks/{submitted}/withdraw", frozenset({"organizer", "submitting speaker"})
    ),
    "rate": Endpoint(
        "PUT",
        "/talks/{accepted}/ratings/ann",
        frozenset({"rating attendee", "speaker and attendee"}),
        {"stars": 4},
    ),
    "remove rating": Endpoint(
        "DELETE",
        "/talks/{accepted}/ratings/ann",
        frozenset({"organizer", "rating attendee", "speaker and attendee"}),
    ),
}


@dataclass(frozen=True)
class World:
    """A conference with a submitted, an accepted (rated by ann) and a scheduled talk."""

    ids: dict[str, str]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.format(**self.ids)
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value


def build_world(api: Api) -> World:
    speaker = api.tokens.header("sam", "speaker")
    conference = api.conference()

    def talk_by_sam() -> str:
        response = api.send("POST", "/talks", talk_body(conference), **speaker)
        assert response.status_code == 201, response.text
        talk_id: str = response.json()["id"]
        return talk_id

    submitted, accepted, scheduled = talk_by_sam(), talk_by_sam(), talk_by_sam()
    for talk_id in (accepted, scheduled):
        api.ok("POST", f"/talks/{talk_id}/accept")
    api.schedule(conference, scheduled, "Main", "2026-06-01T10:00:00")
    api.ok("PUT", f"/talks/{accepted}/ratings/ann", {"stars": 3})
    return World(
        {"c": conference, "submitted": submitted, "accepted": accepted, "scheduled": scheduled}
    )


def call(api: Api, world: World, endpoint: Endpoint, headers: dict[str, str]) -> httpx.Response:
    return api.send(
        endpoint.method, world.fill(endpoint.path), world.fill(endpoint.body), **headers
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_caller_may_do_what_the_rules_allow_and_nothing_else(
    api: Api, name: str, caller: str
) -> None:
    endpoint, world = ENDPOINTS[name], build_world(api)
    before = api.outbox_size()

    response = call(api, world, endpoint, api.tokens.header(*CALLERS[caller]))

    if caller in endpoint.allowed:
        assert response.status_code == endpoint.success, response.text
        assert api.outbox()[-1]["actor"] == CALLERS[caller][0]
    else:
        assert_problem(response, 403, "forbidden")
        assert api.outbox_size() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_without_a_token_every_write_endpoint_answers_401_with_a_challenge(
    api: Api, name: str
) -> None:
    world = build_world(api)
    before = api.outbox_size()
    api.client.auth = None

    response = call(api, world, ENDPOINTS[name], {})

    problem = assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="conference-program"'
    assert "token" in problem["detail"]
    assert api.outbox_size() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_refused_token_answers_401_naming_why_and_changes_nothing(
    api: Api, settings: Settings, name: str
) -> None:
    world = build_world(api)
    before = api.outbox_size()

    for why, token in refused_tokens(settings).items():
        response = call(api, world, ENDPOINTS[name], {"Authorization": f"Bearer {token}"})

        problem = assert_problem(response, 401, "unauthenticated")
        challenge = response.headers["WWW-Authenticate"]
        assert challenge.startswith('Bearer realm="conference-program", error="invalid_token", ')
        assert "error_description=" in challenge, why
        assert token not in response.text, why
        assert "refused" in problem["detail"], why
    assert api.outbox_size() == before


def test_the_refusals_say_what_is_wrong(api: Api, settings: Settings) -> None:
    reasons = {}
    for why, token in refused_tokens(settings).items():
        response = api.send("POST", "/conferences", {}, Authorization=f"Bearer {token}")
        reasons[why] = response.json()["detail"]
    assert "expired" in reasons["expired"]
    assert "issuer" in reasons["wrong issuer"]
    assert "audience" in reasons["wrong audience"]
    assert "algorithm" in reasons["alg none"]
    assert "algorithm" in reasons["HS256 signed with the public key"]
    assert "unknown key" in reasons["unknown key id"]
    assert "signature" in reasons["another key under our key id"]
    assert "'sub'" in reasons["no subject"]
    assert "'exp'" in reasons["no expiry"]


def test_a_speaker_edits_and_withdraws_only_the_talks_they_submitted(api: Api) -> None:
    conference = api.conference()
    sam, sue = api.tokens.header("sam", "speaker"), api.tokens.header("sue", "speaker")
    talk_id = api.send("POST", "/talks", talk_body(conference), **sam).json()["id"]

    assert_problem(
        api.send("PATCH", f"/talks/{talk_id}", {"title": "Mine"}, **sue), 403, "forbidden"
    )
    assert api.send("PATCH", f"/talks/{talk_id}", {"title": "Mine"}, **sam).status_code == 200
    assert_problem(api.send("POST", f"/talks/{talk_id}/withdraw", None, **sue), 403, "forbidden")
    assert api.send("POST", f"/talks/{talk_id}/withdraw", None, **sam).status_code == 200


def test_an_organizer_does_every_speaker_action_on_any_talk(api: Api) -> None:
    conference = api.conference()
    talk_id = api.send(
        "POST", "/talks", talk_body(conference), **api.tokens.header("sam", "speaker")
    ).json()["id"]

    api.ok("PATCH", f"/talks/{talk_id}", {"title": "Edited by the organizer"})
    api.ok("POST", f"/talks/{talk_id}/withdraw")


def test_an_attendee_rates_only_as_themself(api: Api) -> None:
    talk_id = api.talk(api.conference(), accepted=True)
    bob = api.tokens.header("bob", "attendee")

    refused = api.send("PUT", f"/talks/{talk_id}/ratings/ann", {"stars": 1}, **bob)

    assert_problem(refused, 403, "forbidden")
    assert api.send("PUT", f"/talks/{talk_id}/ratings/bob", {"stars": 1}, **bob).status_code == 200


def test_a_forbidden_caller_cannot_replay_an_idempotent_answer(api: Api) -> None:
    body = conference_body()
    first = api.send("POST", "/conferences", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201

    replay = api.send(
        "POST",
        "/conferences",
        body,
        **{"Idempotency-Key": "k-1", **api.tokens.header("sam", "speaker")},
    )

    assert_problem(replay, 403, "forbidden")


def test_the_401_comes_before_the_media_type_is_judged(api: Api) -> None:
    world = build_world(api)
    api.client.auth = None

    response = api.client.post(
        f"/talks/{world.ids['submitted']}/accept",
        content=b"x",
        headers={"Content-Type": "text/plain"},
    )

    assert response.status_code == 401


def test_every_event_records_its_actor(api: Api) -> None:
    conference = api.conference()

    envelope = api.outbox(conference)[0]

    assert envelope["actor"] == "test-organizer"
    assert envelope["correlationid"]
