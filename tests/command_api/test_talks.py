"""Talks over HTTP: submit, edit, accept, reject, withdraw, and their refusals."""

from __future__ import annotations

import pytest

from tests.command_api.conftest import Api, assert_problem, fields_of, new_id, talk_body


def test_submit_answers_201_with_location_and_normalized_details(api: Api) -> None:
    conference_id = api.conference()

    response = api.send("POST", "/talks", talk_body(conference_id, tags=["CQRS", "cqrs", "ddd"]))

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "version": 1, "status": "submitted"}
    assert response.headers["Location"] == f"/talks/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    [submitted] = api.outbox(body["id"])
    assert submitted["data"]["conference_id"] == conference_id
    assert submitted["data"]["tags"] == ["cqrs", "ddd"]
    assert submitted["data"]["duration_minutes"] == 40  # the default of the "talk" format
    assert submitted["data"]["language"] == "en"  # the default language
    assert submitted["type"] == "conference.talk.submitted.v2"


def test_submit_and_edit_record_the_language_lower_cased(api: Api) -> None:
    talk_id = api.ok("POST", "/talks", talk_body(api.conference(), language="FR"))["id"]
    api.ok("PATCH", f"/talks/{talk_id}", {"language": "de"})
    assert [e["data"]["language"] for e in api.outbox(talk_id)] == ["fr", "de"]


def test_submit_accepts_the_conference_id_in_any_uuid_spelling(api: Api) -> None:
    conference_id = api.conference()
    body = api.ok("POST", "/talks", talk_body(conference_id.upper()))
    assert api.outbox(body["id"])[0]["data"]["conference_id"] == conference_id


@pytest.mark.parametrize("conference_id", [new_id(), "not-a-uuid"])
def test_submitting_to_an_unknown_conference_is_422(api: Api, conference_id: str) -> None:
    problem = assert_problem(
        api.send("POST", "/talks", talk_body(conference_id)), 422, "unknown-conference"
    )
    assert fields_of(problem) == {"conference_id"}
    assert api.outbox_size() == 0


def test_an_unknown_conference_records_no_idempotency_key(api: Api) -> None:
    """The refusal comes from the foreign key on commit (ADR 077): the transaction that
    recorded the key rolls back, so the same key works once the conference exists."""
    headers = {"Idempotency-Key": f"talk-{new_id()}"}
    unknown = new_id()
    refused = api.send("POST", "/talks", talk_body(unknown), **headers)
    assert_problem(refused, 422, "unknown-conference")
    conference_id = api.conference()
    accepted = api.send("POST", "/talks", talk_body(conference_id), **headers)
    assert accepted.status_code == 201
    assert api.outbox_size() == 2  # the conference's event and the talk's, nothing else


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"title": "ab"}, {"title"}),
        ({"abstract": "x" * 5001}, {"abstract"}),
        ({"speakers": []}, {"speakers"}),
        ({"speakers": [{"name": " "}]}, {"speakers.0.name"}),
        ({"speakers": [{"name": "Ann"}, {"name": " ann "}]}, {"speakers"}),
        ({"tags": ["ok", "not ok"]}, {"tags.1"}),
        ({"tags": [f"t{n}" for n in range(11)]}, {"tags"}),
        ({"level": "expert"}, {"level"}),
        ({"format": "panel"}, {"format"}),
        ({"duration_minutes": 4}, {"duration_minutes"}),
        ({"duration_minutes": 481}, {"duration_minutes"}),
        ({"language": "xx"}, {"language"}),
        ({"language": "eng"}, {"language"}),
        ({"language": "fr-CA"}, {"language"}),
        ({"language": ""}, {"language"}),
        ({"language": None}, {"language"}),
        ({"language": 7}, {"language"}),
        ({"title": "", "level": "?", "format": "?"}, {"title", "level", "format"}),
    ],
)
def test_submit_refuses_invalid_details_naming_the_fields(
    api: Api, overrides: dict[str, object], fields: set[str]
) -> None:
    conference_id = api.conference()
    problem = assert_problem(
        api.send("POST", "/talks", talk_body(conference_id, **overrides)), 422, "invalid-input"
    )
    assert fields_of(problem) == fields


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"duration_minutes": "40"}, {"duration_minutes"}),
        ({"duration_minutes": True}, {"duration_minutes"}),
        ({"speakers": [{"name": "Ann", "twitter": "@ann"}]}, {"speakers.0.twitter"}),
        ({"tags": "python"}, {"tags"}),
    ],
)
def test_submit_refuses_wrong_json_types(
    api: Api, overrides: dict[str, object], fields: set[str]
) -> None:
    conference_id = api.conference()
    problem = assert_problem(
        api.send("POST", "/talks", talk_body(conference_id, **overrides)), 422, "invalid-input"
    )
    assert fields_of(problem) == fields


def test_edit_changes_only_the_fields_sent(api: Api) -> None:
    talk_id = api.talk(api.conference())

    body = api.ok("PATCH", f"/talks/{talk_id}", {"title": "A better title", "tags": ["k8s"]})

    assert body == {"id": talk_id, "version": 2, "status": "submitted"}
    edited = api.outbox(talk_id)[-1]
    assert edited["type"] == "conference.talk.edited.v2"
    assert edited["data"]["title"] == "A better title"
    assert edited["data"]["tags"] == ["k8s"]
    assert edited["data"]["abstract"] == "What we learned."


def test_an_edit_that_changes_nothing_records_nothing(api: Api) -> None:
    talk_id = api.talk(api.conference())
    assert api.ok("PATCH", f"/talks/{talk_id}", {})["version"] == 1
    assert api.ok("PATCH", f"/talks/{talk_id}", {"level": "intermediate"})["version"] == 1
    assert len(api.outbox(talk_id)) == 1


def test_edit_refuses_invalid_details(api: Api) -> None:
    talk_id = api.talk(api.conference())
    problem = assert_problem(
        api.send("PATCH", f"/talks/{talk_id}", {"title": "", "tags": ["#"]}), 422, "invalid-input"
    )
    assert fields_of(problem) == {"title", "tags.0"}


@pytest.mark.parametrize("language", ["zz", "english", None])
def test_edit_refuses_a_language_iso_639_1_lacks_and_changes_nothing(
    api: Api, language: object
) -> None:
    talk_id = api.talk(api.conference())
    problem = assert_problem(
        api.send("PATCH", f"/talks/{talk_id}", {"language": language}), 422, "invalid-input"
    )
    assert fields_of(problem) == {"language"}
    assert len(api.outbox(talk_id)) == 1


def test_a_rejected_talk_cannot_be_edited(api: Api) -> None:
    talk_id = api.talk(api.conference())
    api.ok("POST", f"/talks/{talk_id}/reject", {"reason": "Off topic"})

    response = api.send("PATCH", f"/talks/{talk_id}", {"title": "Try again"})

    assert_problem(response, 409, "talk-not-editable")


def test_accept(api: Api) -> None:
    talk_id = api.talk(api.conference())
    assert api.ok("POST", f"/talks/{talk_id}/accept") == {
        "id": talk_id,
        "version": 2,
        "status": "accepted",
    }


def test_reject_with_and_without_a_reason(api: Api) -> None:
    conference_id = api.conference()
    first, second = api.talk(conference_id), api.talk(conference_id)

    assert api.ok("POST", f"/talks/{first}/reject", {"reason": " Too long "})["status"] == (
        "rejected"
    )
    assert api.ok("POST", f"/talks/{second}/reject")["status"] == "rejected"
    assert api.outbox(first)[-1]["data"] == {"reason": "Too long"}
    assert api.outbox(second)[-1]["data"] == {"reason": ""}


def test_reject_refuses_an_overlong_reason(api: Api) -> None:
    talk_id = api.talk(api.conference())
    response = api.send("POST", f"/talks/{talk_id}/reject", {"reason": "x" * 1001})
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {"reason"}


def test_withdraw(api: Api) -> None:
    talk_id = api.talk(api.conference(), accepted=True)
    assert api.ok("POST", f"/talks/{talk_id}/withdraw")["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        (["accept"], "accept"),
        (["accept"], "reject"),
        (["reject"], "accept"),
        (["reject"], "withdraw"),
        (["withdraw"], "accept"),
        (["withdraw"], "withdraw"),
    ],
)
def test_illegal_lifecycle_moves_are_conflicts(api: Api, steps: list[str], action: str) -> None:
    talk_id = api.talk(api.conference())
    for step in steps:
        api.ok("POST", f"/talks/{talk_id}/{step}")
    before = api.outbox_size()

    response = api.send("POST", f"/talks/{talk_id}/{action}")

    assert_problem(response, 409, "illegal-talk-transition")
    assert api.outbox_size() == before


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"title": "Whatever"}),
        ("POST", "/accept", None),
        ("POST", "/reject", {"reason": "no"}),
        ("POST", "/withdraw", None),
    ],
)
def test_an_unknown_talk_is_404(api: Api, method: str, suffix: str, body: object) -> None:
    assert_problem(api.send(method, f"/talks/{new_id()}{suffix}", body), 404, "talk-not-found")
