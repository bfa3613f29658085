"""The schedule over HTTP: slots, moves, and every rule that can refuse them."""

from __future__ import annotations

import httpx
import pytest

from tests.command_api.conftest import Api, assert_problem, new_id


def schedule(
    api: Api, conference_id: str, talk_id: str, stage: str, starts_at: str
) -> httpx.Response:
    return api.send(
        "PUT",
        f"/conferences/{conference_id}/schedule/{talk_id}",
        {"stage": stage, "starts_at": starts_at},
    )


def test_schedule_bumps_the_conference_not_the_talk(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)

    body = api.ok(
        "PUT",
        f"/conferences/{conference_id}/schedule/{talk_id}",
        {"stage": "main", "starts_at": "2026-06-01T10:00:00"},
    )

    assert body["id"] == conference_id
    assert body["version"] == 2
    assert body["slot"] == {
        "talk_id": talk_id,
        "stage": "Main",
        "starts_at": "2026-06-01T08:00:00+00:00",  # 10:00 in Europe/Berlin
        "ends_at": "2026-06-01T08:40:00+00:00",
    }
    assert len(api.outbox(talk_id)) == 2  # submitted, accepted: nothing from scheduling
    assert api.outbox(conference_id)[-1]["type"] == "conference.conference.talk_scheduled.v1"


def test_scheduling_again_moves_the_talk(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    api.schedule(conference_id, talk_id, "Main", "2026-06-01T10:00:00")

    body = api.ok(
        "PUT",
        f"/conferences/{conference_id}/schedule/{talk_id}",
        {"stage": "Side", "starts_at": "2026-06-02T09:00:00+02:00"},
    )

    assert body["slot"]["stage"] == "Side"
    other = api.talk(conference_id, accepted=True)
    api.schedule(conference_id, other, "Main", "2026-06-01T10:00:00")  # the old slot is free


def test_back_to_back_slots_do_not_overlap(api: Api) -> None:
    conference_id = api.conference()
    first, second = (api.talk(conference_id, accepted=True) for _ in range(2))
    api.schedule(conference_id, first, "Main", "2026-06-01T10:00:00")
    api.schedule(conference_id, second, "Main", "2026-06-01T10:40:00")


def test_overlapping_slots_on_one_stage_are_a_conflict(api: Api) -> None:
    conference_id = api.conference()
    first, second = (api.talk(conference_id, accepted=True) for _ in range(2))
    api.schedule(conference_id, first, "Main", "2026-06-01T10:00:00")

    response = schedule(api, conference_id, second, "Main", "2026-06-01T10:39:00")

    assert_problem(response, 409, "stage-slot-taken")


def test_a_speaker_cannot_be_in_two_places_at_once(api: Api) -> None:
    conference_id = api.conference()
    first = api.talk(conference_id, accepted=True, speakers=[{"name": "Grace Hopper"}])
    second = api.talk(conference_id, accepted=True, speakers=[{"name": " grace   HOPPER "}])
    api.schedule(conference_id, first, "Main", "2026-06-01T10:00:00")

    response = schedule(api, conference_id, second, "Side", "2026-06-01T10:20:00")

    assert_problem(response, 409, "speaker-double-booked")


def test_a_slot_must_lie_within_the_conference_days(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)

    response = schedule(api, conference_id, talk_id, "Main", "2026-06-03T23:30:00")

    assert_problem(response, 409, "slot-outside-conference")


def test_only_accepted_talks_are_scheduled(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id)
    response = schedule(api, conference_id, talk_id, "Main", "2026-06-01T10:00:00")
    assert_problem(response, 409, "talk-not-accepted")


def test_a_talk_of_another_conference_is_a_conflict(api: Api) -> None:
    conference_id = api.conference()
    foreign = api.talk(api.conference(), accepted=True)
    response = schedule(api, conference_id, foreign, "Main", "2026-06-01T10:00:00")
    assert_problem(response, 409, "talk-of-other-conference")


def test_an_unknown_stage_is_a_conflict(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    response = schedule(api, conference_id, talk_id, "Garden", "2026-06-01T10:00:00")
    assert_problem(response, 409, "stage-unknown")


def test_a_malformed_start_time_is_invalid_input(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    response = schedule(api, conference_id, talk_id, "Main", "tomorrow morning")
    assert assert_problem(response, 422, "invalid-input")["errors"][0]["field"] == "starts_at"


def test_unknown_conference_or_talk_is_404(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    assert_problem(
        schedule(api, new_id(), talk_id, "Main", "2026-06-01T10:00:00"),
        404,
        "conference-not-found",
    )
    assert_problem(
        schedule(api, conference_id, new_id(), "Main", "2026-06-01T10:00:00"),
        404,
        "talk-not-found",
    )
    assert_problem(
        api.send("DELETE", f"/conferences/{conference_id}/schedule/{new_id()}"),
        404,
        "talk-not-found",
    )


def test_unschedule_frees_the_slot(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    api.schedule(conference_id, talk_id, "Main", "2026-06-01T10:00:00")

    body = api.ok("DELETE", f"/conferences/{conference_id}/schedule/{talk_id}")

    assert body == {"id": conference_id, "version": 3}
    assert api.outbox(conference_id)[-1]["data"] == {"talk_id": talk_id, "reason": "unscheduled"}
    api.ok("DELETE", f"/conferences/{conference_id}/stages/Main")  # no longer in use


def test_unscheduling_a_talk_without_a_slot_is_a_conflict(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    response = api.send("DELETE", f"/conferences/{conference_id}/schedule/{talk_id}")
    assert_problem(response, 409, "talk-not-scheduled")


def test_withdrawing_a_scheduled_talk_frees_its_slot_in_the_same_transaction(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    api.schedule(conference_id, talk_id, "Main", "2026-06-01T10:00:00")
    before = api.outbox_size()

    assert api.ok("POST", f"/talks/{talk_id}/withdraw")["version"] == 3

    recorded = api.outbox()[before:]
    assert [(e["type"], e["aggregateversion"]) for e in recorded] == [
        ("conference.talk.withdrawn.v1", 3),
        ("conference.conference.talk_unscheduled.v1", 3),
    ]
    assert recorded[1]["data"] == {"talk_id": talk_id, "reason": "withdrawn"}
    assert recorded[0]["correlationid"] == recorded[1]["correlationid"]


def test_a_scheduled_talk_keeps_its_duration(api: Api) -> None:
    conference_id = api.conference()
    talk_id = api.talk(conference_id, accepted=True)
    api.schedule(conference_id, talk_id, "Main", "2026-06-01T10:00:00")

    response = api.send("PATCH", f"/talks/{talk_id}", {"duration_minutes": 60})

    assert_problem(response, 409, "scheduled-duration-locked")
    assert api.ok("PATCH", f"/talks/{talk_id}", {"title": "Still fine"})["version"] == 3


def test_new_speakers_of_a_scheduled_talk_must_be_free(api: Api) -> None:
    conference_id = api.conference()
    first = api.talk(conference_id, accepted=True, speakers=[{"name": "Ada"}])
    second = api.talk(conference_id, accepted=True, speakers=[{"name": "Linus"}])
    api.schedule(conference_id, first, "Main", "2026-06-01T10:00:00")
    api.schedule(conference_id, second, "Side", "2026-06-01T10:00:00")

    response = api.send("PATCH", f"/talks/{second}", {"speakers": [{"name": "ada"}]})

    assert_problem(response, 409, "speaker-double-booked")
    api.ok("PATCH", f"/talks/{second}", {"speakers": [{"name": "Linus"}, {"name": "Guido"}]})


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:59:00", "0001-01-01T00:00:00+01:00"])
def test_start_times_at_the_edge_of_the_calendar_are_invalid(api: Api, starts_at: str) -> None:
    conference_id = api.conference(starts_on="2026-06-01", ends_on="2026-06-03")
    talk_id = api.talk(conference_id, accepted=True)
    response = schedule(api, conference_id, talk_id, "Main", starts_at)
    assert_problem(response, 422, "invalid-input")
    assert [e["field"] for e in response.json()["errors"]] == ["starts_at"]


def test_conference_dates_at_the_edge_of_the_calendar_are_invalid(api: Api) -> None:
    response = api.send(
        "POST",
        "/conferences",
        {"name": "Y10K", "starts_on": "9999-12-30", "ends_on": "9999-12-31", "stages": ["Main"]},
    )
    assert_problem(response, 422, "invalid-input")
    assert {e["field"] for e in response.json()["errors"]} == {"starts_on", "ends_on"}
