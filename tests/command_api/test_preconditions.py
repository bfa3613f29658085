"""If-Match: a command at a stale version gets 412 and changes nothing."""

from __future__ import annotations

import pytest

from tests.command_api.conftest import Api, assert_problem, conference_body, talk_body


def test_a_current_version_lets_the_command_through(api: Api) -> None:
    conference_id = api.conference()
    response = api.send(
        "PATCH", f"/conferences/{conference_id}", {"name": "Next"}, **{"If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


@pytest.mark.parametrize("if_match", ['"1"', '"7", "1"', "*", 'W/"x", "1"'])
def test_any_matching_entity_tag_or_star_matches(api: Api, if_match: str) -> None:
    talk_id = api.talk(api.conference())
    assert api.ok("POST", f"/talks/{talk_id}/accept", **{"If-Match": if_match})["version"] == 2


@pytest.mark.parametrize("if_match", ['"2"', '"0", "3"', 'W/"1"', '"abc"'])
def test_a_stale_or_foreign_tag_fails_and_changes_nothing(api: Api, if_match: str) -> None:
    talk_id = api.talk(api.conference())

    response = api.send("POST", f"/talks/{talk_id}/accept", **{"If-Match": if_match})

    assert_problem(response, 412, "precondition-failed")
    assert len(api.outbox(talk_id)) == 1
    assert api.ok("POST", f"/talks/{talk_id}/accept")["version"] == 2


def test_if_match_on_the_schedule_checks_the_conference_version(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    path = f"/conferences/{conference_id}/schedule/{talk_id}"
    body = {"stage": "Main", "starts_at": "2026-06-01T10:00:00"}

    assert_problem(api.send("PUT", path, body, **{"If-Match": '"2"'}), 412, "precondition-failed")
    assert api.ok("PUT", path, body, **{"If-Match": '"1"'})["version"] == 2


@pytest.mark.parametrize("path", ["/conferences", "/talks"])
def test_a_resource_being_created_has_no_version_to_match(api: Api, path: str) -> None:
    body = conference_body() if path == "/conferences" else talk_body(api.conference())
    before = api.outbox_size()
    assert_problem(api.send("POST", path, body, **{"If-Match": "*"}), 412, "precondition-failed")
    assert api.outbox_size() == before


@pytest.mark.parametrize("if_match", ["1", '"1', "W/1", '"1",,', "", '"1" "2"'])
def test_a_malformed_if_match_is_400(api: Api, if_match: str) -> None:
    talk_id = api.talk(api.conference())
    response = api.send("POST", f"/talks/{talk_id}/accept", **{"If-Match": if_match})
    assert_problem(response, 400, "invalid-if-match")
    assert len(api.outbox(talk_id)) == 1
