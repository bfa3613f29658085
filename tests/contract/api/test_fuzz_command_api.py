"""Schemathesis against the write API, in-process over ASGI, on a real SQLite write store.

Every check is on (every status documented, every body and header as documented, bad input
refused, good input accepted, 405 with Allow for undocumented methods…), in the examples,
coverage and fuzzing phases. A conference with stages and a few talks are seeded first and
the path parameters draw from their ids part of the time, so the commands reach the
domain's rules instead of stopping at 404. Each operation runs as the role that may do it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from command_service.api.app import create_app
from command_service.api.idempotency import HEADER as IDEMPOTENCY_KEY
from command_service.migrate import upgrade
from tests.contract.api.credentials import SUBJECTS, auth_headers_for, settings
from tests.contract.api.documents import write_api_document
from tests.contract.api.fuzzing import (
    CONFIG,
    FuzzCase,
    Tally,
    as_enforced,
    authenticate,
    bounded,
    repair,
    steer_to,
)

MAX_EXAMPLES = 25
"""Per operation and phase: 13 commands and 2 probes give well over 500 requests."""

ROLES = {
    "POST /talks": "speaker",
    "PATCH /talks/{talk_id}": "speaker",
    "POST /talks/{talk_id}/withdraw": "speaker",
    "PUT /talks/{talk_id}/ratings/{attendee_id}": "attendee",
    "DELETE /talks/{talk_id}/ratings/{attendee_id}": "attendee",
}
"""The role each operation runs as (the one the SPEC lets do it); any other: organizer."""


@dataclass(frozen=True)
class Seeded:
    conference_id: str
    talk_ids: list[str]


def role_of(case: FuzzCase) -> str | None:
    if case.operation.method.upper() == "GET":
        return None  # the probes are public
    return ROLES.get(case.operation.label, "organizer")


def seed(client: TestClient) -> Seeded:
    """A conference with two stages, a submitted, an accepted and a scheduled talk."""
    organizer, speaker = auth_headers_for("organizer"), auth_headers_for("speaker")
    conference = {
        "name": "FuzzConf",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-02",
        "timezone": "Europe/Berlin",
        "stages": ["Main", "Side"],
    }
    response = client.post("/conferences", json=conference, headers=organizer)
    assert response.status_code == 201, response.text
    conference_id = response.json()["id"]
    talk_ids = []
    for title in ("Submitted", "Accepted", "Scheduled"):
        talk = {
            "conference_id": conference_id,
            "title": title,
            "speakers": [{"name": "Ada Lovelace"}],
            "level": "beginner",
            "format": "talk",
        }
        response = client.post("/talks", json=talk, headers=speaker)
        assert response.status_code == 201, response.text
        talk_ids.append(response.json()["id"])
    for talk_id in talk_ids[1:]:
        assert client.post(f"/talks/{talk_id}/accept", headers=organizer).status_code == 200
    slot = {"stage": "Main", "starts_at": "2026-06-01T10:00:00+02:00"}
    path = f"/conferences/{conference_id}/schedule/{talk_ids[2]}"
    assert client.put(path, json=slot, headers=organizer).status_code == 200
    return Seeded(conference_id, talk_ids)


def fresh_idempotency_key(case: FuzzCase) -> None:
    """Every generated request is a new request, so a generated key is made unique: a key
    reused for another request is 422 by design (tests/command_api/test_idempotency.py)."""
    key = case.headers.get(IDEMPOTENCY_KEY) if case.headers else None
    if isinstance(key, str) and key:
        case.headers[IDEMPOTENCY_KEY] = key[:160] + uuid.uuid4().hex


schema = schemathesis.openapi.from_dict(as_enforced(write_api_document()), config=CONFIG)
known: dict[str, list[str]] = {}
steer_to(schema, known)
authenticate(schema, role_of)


@pytest.fixture(scope="module")
def write_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """A write API on a migrated SQLite file, seeded; ``known`` gets the seeded ids."""
    path = tmp_path_factory.mktemp("fuzz-write") / "command.db"
    upgrade(f"sqlite:///{path}")
    app = create_app(settings(f"sqlite:///{path}"))
    with TestClient(app) as client:
        seeded = seed(client)
    known.update(
        conference_id=[seeded.conference_id],
        talk_id=seeded.talk_ids,
        name=["Main", "Side"],
        attendee_id=[SUBJECTS["attendee"]],
    )
    return app


@schema.parametrize()
@bounded(MAX_EXAMPLES)
def test_the_write_api_answers_as_documented(
    case: FuzzCase, write_app: FastAPI, tally: Tally
) -> None:
    tally.count(case)
    repair(case)
    fresh_idempotency_key(case)
    case.operation.schema.app = write_app  # where the auth checks send their own probes
    case.call_and_validate(app=write_app)


STATEFUL_SCENARIOS = 40
"""Scenarios of up to ``STATEFUL_STEPS`` calls, following the 201s' links."""
STATEFUL_STEPS = 8


def test_workflows_following_the_links_answer_as_documented(write_app: FastAPI) -> None:
    """Create a conference or talk, then act on it through the links its 201 declares."""

    class Workflows(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: FuzzCase) -> None:
            repair(case)
            fresh_idempotency_key(case)
            case.operation.schema.app = write_app

        def get_call_kwargs(self, case: FuzzCase) -> dict[str, Any]:
            return {"app": write_app}

    Workflows.run(
        settings=hypothesis.settings(
            bounded(STATEFUL_SCENARIOS), stateful_step_count=STATEFUL_STEPS
        )
    )
