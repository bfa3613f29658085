"""Idempotency-Key: retries return the first answer and do the work once."""

from __future__ import annotations

import uuid

import pytest

from tests.command_api.conftest import Api, assert_problem, conference_body, fields_of


def key() -> str:
    return f"key-{uuid.uuid4()}"


def test_a_retry_returns_the_first_answer_without_doing_the_work_again(api: Api) -> None:
    body, headers = conference_body(), {"Idempotency-Key": key()}

    first = api.send("POST", "/conferences", body, **headers)
    again = api.send("POST", "/conferences", body, **headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert api.outbox_size() == 1


def test_the_body_is_compared_in_canonical_form(api: Api) -> None:
    conference_id = api.conference()
    headers = {"Idempotency-Key": key(), "Content-Type": "application/json"}
    path = f"/conferences/{conference_id}/stages"

    first = api.client.post(path, content='{"name": "Hall"}', headers=headers)
    again = api.client.post(path, content='{ "name":"Hall" }', headers=headers)

    assert (
        first.json()
        == again.json()
        == {
            "id": conference_id,
            "version": 2,
            "stages": ["Main", "Side", "Hall"],
        }
    )
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_replay_is_not_refused_by_the_precondition_it_satisfied(api: Api) -> None:
    talk_id = api.talk(api.conference())
    headers = {"Idempotency-Key": key(), "If-Match": '"1"'}

    assert api.ok("POST", f"/talks/{talk_id}/accept", **headers)["version"] == 2
    assert api.ok("POST", f"/talks/{talk_id}/accept", **headers)["version"] == 2
    assert len(api.outbox(talk_id)) == 2


@pytest.mark.parametrize("change", ["body", "if-match", "path"])
def test_the_same_key_for_a_different_request_is_422(api: Api, change: str) -> None:
    talk_id = api.talk(api.conference())
    headers = {"Idempotency-Key": key()}
    api.ok("PATCH", f"/talks/{talk_id}", {"title": "First title"}, **headers)
    path, body = f"/talks/{talk_id}", {"title": "First title"}
    if change == "body":
        body = {"title": "Second title"}
    elif change == "if-match":
        headers["If-Match"] = '"2"'
    else:
        path = f"/talks/{api.talk(api.conference())}"
    before = api.outbox_size()

    response = api.send("PATCH", path, body, **headers)

    assert_problem(response, 422, "idempotency-key-reused")
    assert api.outbox_size() == before


def test_a_refused_command_does_not_use_up_its_key(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id)
    headers = {"Idempotency-Key": key()}
    path = f"/conferences/{conference_id}/schedule/{talk_id}"
    body = {"stage": "Main", "starts_at": "2026-06-01T10:00:00"}

    assert_problem(api.send("PUT", path, body, **headers), 409, "talk-not-accepted")
    api.ok("POST", f"/talks/{talk_id}/accept")

    assert api.ok("PUT", path, body, **headers)["version"] == 2


@pytest.mark.parametrize("bad_key", ["", "x" * 201, "tab\there"])
def test_a_malformed_key_is_400(api: Api, bad_key: str) -> None:
    response = api.send("POST", "/conferences", conference_body(), **{"Idempotency-Key": bad_key})
    assert_problem(response, 400, "invalid-idempotency-key")
    assert api.outbox_size() == 0


def test_a_key_of_200_characters_is_fine(api: Api) -> None:
    api.ok("POST", "/conferences", conference_body(), **{"Idempotency-Key": "k" * 200})


def test_a_reused_key_is_named_in_errors_like_every_422(api: Api) -> None:
    headers = {"Idempotency-Key": key()}
    api.ok("POST", "/conferences", conference_body(), **headers)
    response = api.send("POST", "/conferences", conference_body(), **headers)
    problem = assert_problem(response, 422, "idempotency-key-reused")
    assert fields_of(problem) == {"Idempotency-Key"}


def test_another_caller_reusing_a_key_gets_no_replay_of_the_first_answer(api: Api) -> None:
    """Keys are per caller: an organizer who guesses (or sees) another's key and body is
    refused, not handed the first caller's answer, and the work is not done twice."""
    body, headers = conference_body(), {"Idempotency-Key": key()}
    first = api.send("POST", "/conferences", body, **headers)
    other = api.tokens.header("another-organizer", "organizer")

    again = api.send("POST", "/conferences", body, **headers, **other)

    assert first.status_code == 201
    assert_problem(again, 422, "idempotency-key-reused")
    assert "Idempotent-Replayed" not in again.headers
    assert api.outbox_size() == 1
