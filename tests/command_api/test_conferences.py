"""Conferences over HTTP: create, rename, add and remove stages, and their refusals."""

from __future__ import annotations

import pytest

from tests.command_api.conftest import Api, assert_problem, conference_body, fields_of, new_id


def test_create_answers_201_with_location_etag_and_version(api: Api) -> None:
    response = api.send("POST", "/conferences", conference_body())

    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/conferences/{body['id']}"
    [created] = api.outbox(body["id"])
    assert created["type"] == "conference.conference.created.v1"
    assert created["data"]["stages"] == ["Main", "Side"]


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"name": "  "}, {"name"}),
        ({"name": "x" * 121}, {"name"}),
        ({"starts_on": "2026-13-01"}, {"starts_on"}),
        ({"ends_on": "2026-05-01"}, {"ends_on"}),
        ({"ends_on": "2026-06-15"}, {"ends_on"}),
        ({"timezone": "Mars/Olympus"}, {"timezone"}),
        ({"stages": []}, {"stages"}),
        ({"stages": ["Main", "main"]}, {"stages"}),
        ({"stages": ["Main", "x" * 61]}, {"stages.1"}),
        ({"name": "", "timezone": "Nowhere", "stages": ["A", "a"]}, {"name", "timezone", "stages"}),
    ],
)
def test_create_refuses_invalid_input_naming_the_fields(
    api: Api, overrides: dict[str, object], fields: set[str]
) -> None:
    problem = assert_problem(
        api.send("POST", "/conferences", conference_body(**overrides)), 422, "invalid-input"
    )
    assert fields_of(problem) == fields
    assert api.outbox_size() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "X"}, {"starts_on", "ends_on", "stages"}),
        (conference_body(name=7), {"name"}),
        (conference_body(stages="Main"), {"stages"}),
        (conference_body(extra=1), {"extra"}),
        ([], {"body"}),
    ],
)
def test_create_refuses_wrong_shapes_naming_the_fields(
    api: Api, body: object, fields: set[str]
) -> None:
    problem = assert_problem(api.send("POST", "/conferences", body), 422, "invalid-input")
    assert fields_of(problem) == fields


def test_rename(api: Api) -> None:
    conference_id = api.conference()

    response = api.send("PATCH", f"/conferences/{conference_id}", {"name": "  New name "})

    assert response.status_code == 200
    assert response.json() == {"id": conference_id, "version": 2}
    assert response.headers["ETag"] == '"2"'
    assert api.outbox(conference_id)[-1]["data"] == {"name": "New name"}


def test_rename_to_the_same_name_records_nothing(api: Api) -> None:
    conference_id = api.conference(name="Same")

    assert api.ok("PATCH", f"/conferences/{conference_id}", {"name": "Same"})["version"] == 1
    assert len(api.outbox(conference_id)) == 1


def test_rename_refuses_an_invalid_name(api: Api) -> None:
    conference_id = api.conference()
    problem = assert_problem(
        api.send("PATCH", f"/conferences/{conference_id}", {"name": ""}), 422, "invalid-input"
    )
    assert fields_of(problem) == {"name"}


def test_add_and_remove_stages(api: Api) -> None:
    conference_id = api.conference()

    added = api.ok("POST", f"/conferences/{conference_id}/stages", {"name": "Hall A/B"})
    assert added == {"id": conference_id, "version": 2, "stages": ["Main", "Side", "Hall A/B"]}

    removed = api.ok("DELETE", f"/conferences/{conference_id}/stages/hall%20a/b")
    assert removed == {"id": conference_id, "version": 3, "stages": ["Main", "Side"]}
    assert [e["type"] for e in api.outbox(conference_id)][1:] == [
        "conference.conference.stage_added.v1",
        "conference.conference.stage_removed.v1",
    ]


def test_adding_an_existing_stage_is_a_conflict(api: Api) -> None:
    conference_id = api.conference()
    response = api.send("POST", f"/conferences/{conference_id}/stages", {"name": "MAIN"})
    assert_problem(response, 409, "stage-exists")


def test_a_conference_has_at_most_20_stages(api: Api) -> None:
    conference_id = api.conference(stages=[f"Stage {n}" for n in range(20)])
    response = api.send("POST", f"/conferences/{conference_id}/stages", {"name": "One more"})
    assert_problem(response, 409, "stage-limit-reached")


def test_removing_an_unknown_stage_is_a_conflict(api: Api) -> None:
    conference_id = api.conference()
    response = api.send("DELETE", f"/conferences/{conference_id}/stages/Nowhere")
    assert_problem(response, 409, "stage-unknown")


def test_the_last_stage_cannot_be_removed(api: Api) -> None:
    conference_id = api.conference(stages=["Only"])
    response = api.send("DELETE", f"/conferences/{conference_id}/stages/Only")
    assert_problem(response, 409, "last-stage")


def test_a_stage_in_use_cannot_be_removed(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    api.schedule(conference_id, talk_id, "Side", "2026-06-01T10:00:00")

    response = api.send("DELETE", f"/conferences/{conference_id}/stages/side")

    assert_problem(response, 409, "stage-in-use")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"name": "X"}),
        ("POST", "/stages", {"name": "X"}),
        ("DELETE", "/stages/Main", None),
    ],
)
def test_an_unknown_conference_is_404(
    api: Api, method: str, suffix: str, body: dict[str, str] | None
) -> None:
    response = api.send(method, f"/conferences/{new_id()}{suffix}", body)
    assert_problem(response, 404, "conference-not-found")
