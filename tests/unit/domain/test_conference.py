"""The Conference aggregate: creation, rename and stages (the schedule is in test_schedule)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared_domain.conference import Conference
from shared_domain.errors import (
    InvalidInput,
    LastStage,
    StageExists,
    StageInUse,
    StageLimitReached,
    StageUnknown,
)
from shared_domain.events import ConferenceCreated, ConferenceRenamed, StageAdded, StageRemoved
from tests.unit.domain.conftest import InvalidFields, MakeConference, MakeTalk, Recorded, Refused
from tests.unit.domain.typed_input import moment, typed


def create(conference_input: dict[str, Any], **overrides: object) -> Conference:
    return Conference.create("conf-1", **typed(**{**conference_input, **overrides}))


def refused_create(
    conference_input: dict[str, Any],
    invalid_fields: InvalidFields,
    fields: list[str],
    **overrides: object,
) -> None:
    with invalid_fields(*fields):
        create(conference_input, **overrides)


# --- create ------------------------------------------------------------------------------


def test_create_records_conference_created(
    conference_input: dict[str, Any], recorded: Recorded
) -> None:
    conference = create(conference_input)

    assert conference.id == "conf-1"
    assert conference.name == "PyCon Nowhere"
    assert (conference.starts_on, conference.ends_on) == (date(2026, 6, 1), date(2026, 6, 2))
    assert conference.timezone == "UTC"
    assert conference.stages == ["Main", "Side"]
    assert conference.slots == ()
    recorded(
        conference,
        ConferenceCreated,
        1,
        {
            "name": "PyCon Nowhere",
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
            "timezone": "UTC",
            "stages": ["Main", "Side"],
        },
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("x", "x"),
        ("  x  ", "x"),
        ("n" * 120, "n" * 120),
        ("   " + "n" * 120 + "\t", "n" * 120),
        (" Py  Con ", "Py  Con"),
    ],
)
def test_name_is_trimmed_and_1_to_120_characters(
    conference_input: dict[str, Any], raw: str, expected: str
) -> None:
    conference = create(conference_input, name=raw)
    assert conference.name == expected
    assert conference.pull_events()[0].data()["name"] == expected


@pytest.mark.parametrize("raw", ["", "   ", "n" * 121, " " + "n" * 121 + " ", None, 42])
def test_name_empty_after_trim_or_longer_than_120_is_refused(
    conference_input: dict[str, Any], invalid_fields: InvalidFields, raw: str | int | None
) -> None:
    refused_create(conference_input, invalid_fields, ["name"], name=raw)


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        ("2026-06-01", "2026-06-01"),  # one day
        ("2026-06-01", "2026-06-14"),  # 14 days, inclusive
        ("2026-12-25", "2027-01-07"),  # 14 days across the new year
    ],
)
def test_conference_lasts_1_to_14_days(
    conference_input: dict[str, Any], starts_on: str, ends_on: str
) -> None:
    conference = create(conference_input, starts_on=starts_on, ends_on=ends_on)
    assert conference.starts_on.isoformat() == starts_on
    assert conference.ends_on.isoformat() == ends_on


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        ("2026-06-02", "2026-06-01"),  # ends before it starts
        ("2026-06-01", "2026-06-15"),  # 15 days
        ("2026-06-01", "2027-06-01"),
    ],
)
def test_end_before_start_or_more_than_14_days_is_refused(
    conference_input: dict[str, Any], invalid_fields: InvalidFields, starts_on: str, ends_on: str
) -> None:
    refused_create(
        conference_input, invalid_fields, ["ends_on"], starts_on=starts_on, ends_on=ends_on
    )


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"starts_on": "2026-13-01"}, ["starts_on"]),
        ({"starts_on": "01/06/2026"}, ["starts_on"]),
        ({"starts_on": None}, ["starts_on"]),
        ({"ends_on": "tomorrow"}, ["ends_on"]),
        ({"ends_on": 20260602}, ["ends_on"]),
        ({"starts_on": "", "ends_on": ""}, ["starts_on", "ends_on"]),
    ],
)
def test_dates_must_be_iso_dates(
    conference_input: dict[str, Any],
    invalid_fields: InvalidFields,
    overrides: dict[str, object],
    fields: list[str],
) -> None:
    refused_create(conference_input, invalid_fields, fields, **overrides)


def test_timezone_defaults_to_utc(conference_input: dict[str, Any]) -> None:
    del conference_input["timezone"]
    conference = Conference.create("conf-1", **typed(**conference_input))
    assert conference.timezone == "UTC"
    assert conference.pull_events()[0].data()["timezone"] == "UTC"


def test_timezone_is_kept(conference_input: dict[str, Any]) -> None:
    assert create(conference_input, timezone="Europe/Berlin").timezone == "Europe/Berlin"


@pytest.mark.parametrize("raw", ["Mars/Olympus_Mons", "Europe", "utc ", "", None])
def test_unknown_timezone_is_refused(
    conference_input: dict[str, Any], invalid_fields: InvalidFields, raw: str | None
) -> None:
    refused_create(conference_input, invalid_fields, ["timezone"], timezone=raw)


@pytest.mark.parametrize("count", [1, 2, 20])
def test_1_to_20_stages(conference_input: dict[str, Any], count: int) -> None:
    names = [f"Stage {i}" for i in range(count)]
    assert create(conference_input, stages=names).stages == names


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ([], ["stages"]),
        ([f"Stage {i}" for i in range(21)], ["stages"]),
        ("Main", ["stages"]),
        (None, ["stages"]),
        (["Main", "main"], ["stages"]),
        (["Main", " MAIN "], ["stages"]),
        (["Main", ""], ["stages.1"]),
        (["   ", "Side", "s" * 61], ["stages.0", "stages.2"]),
        (["Main", 7], ["stages.1"]),
    ],
)
def test_stage_refusals(
    conference_input: dict[str, Any],
    invalid_fields: InvalidFields,
    raw: list[str | int] | str | None,
    fields: list[str],
) -> None:
    refused_create(conference_input, invalid_fields, fields, stages=raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(["s"], ["s"]), (["s" * 60], ["s" * 60]), ([" Main ", "Side\t"], ["Main", "Side"])],
)
def test_stage_names_are_trimmed_and_1_to_60_characters(
    conference_input: dict[str, Any], raw: list[str], expected: list[str]
) -> None:
    assert create(conference_input, stages=raw).stages == expected


def test_every_invalid_field_is_reported_at_once(
    conference_input: dict[str, Any], invalid_fields: InvalidFields
) -> None:
    with invalid_fields("name", "starts_on", "timezone", "stages.0"):
        Conference.create(
            "conf-1",
            **typed(
                name=" ",
                starts_on="June",
                ends_on="2026-06-02",
                timezone="Nowhere/City",
                stages=[""],
            ),
        )


# --- rename ------------------------------------------------------------------------------


def test_rename_records_conference_renamed(
    make_conference: MakeConference, recorded: Recorded
) -> None:
    conference = make_conference()
    conference.rename("  PyCon Somewhere ")
    assert conference.name == "PyCon Somewhere"
    recorded(conference, ConferenceRenamed, 2, {"name": "PyCon Somewhere"})


@pytest.mark.parametrize("raw", ["PyCon Nowhere", "  PyCon Nowhere  "])
def test_rename_to_the_same_name_records_nothing(make_conference: MakeConference, raw: str) -> None:
    conference = make_conference()
    conference.rename(raw)
    assert conference.name == "PyCon Nowhere"
    assert conference.version == 1
    assert conference.pull_events() == []


@pytest.mark.parametrize("raw", ["", "   ", "n" * 121, None])
def test_rename_to_an_invalid_name_is_refused(
    make_conference: MakeConference, refused: Refused, raw: str | None
) -> None:
    conference = make_conference()
    with refused(conference, InvalidInput, "name"):
        conference.rename(raw)  # type: ignore[arg-type]  # wrong type on purpose


@pytest.mark.parametrize("raw", ["x", "n" * 120])
def test_rename_bounds(make_conference: MakeConference, recorded: Recorded, raw: str) -> None:
    conference = make_conference()
    conference.rename(raw)
    recorded(conference, ConferenceRenamed, 2, {"name": raw})


# --- stages ------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("Hall B", "Hall B"), ("  Hall B ", "Hall B")])
def test_add_stage_records_stage_added(
    make_conference: MakeConference, recorded: Recorded, raw: str, expected: str
) -> None:
    conference = make_conference()
    conference.add_stage(raw)
    assert conference.stages == ["Main", "Side", expected]
    recorded(conference, StageAdded, 2, {"stage": expected})


@pytest.mark.parametrize("raw", ["Main", "main", " SIDE "])
def test_add_existing_stage_ignoring_case_is_refused(
    make_conference: MakeConference, refused: Refused, raw: str
) -> None:
    conference = make_conference()
    with refused(conference, StageExists):
        conference.add_stage(raw)


def test_add_stage_up_to_the_limit_of_20(
    make_conference: MakeConference, recorded: Recorded, refused: Refused
) -> None:
    conference = make_conference(stages=[f"Stage {i}" for i in range(19)])
    conference.add_stage("Stage 19")
    recorded(conference, StageAdded, 2, {"stage": "Stage 19"})
    assert len(conference.stages) == 20
    with refused(conference, StageLimitReached):
        conference.add_stage("Stage 20")


@pytest.mark.parametrize("raw", ["", "   ", "s" * 61, None])
def test_add_stage_with_invalid_name_is_refused(
    make_conference: MakeConference, refused: Refused, raw: str | None
) -> None:
    conference = make_conference()
    with refused(conference, InvalidInput, "name"):
        conference.add_stage(raw)  # type: ignore[arg-type]  # wrong type on purpose


def test_add_stage_of_60_characters(make_conference: MakeConference) -> None:
    conference = make_conference()
    conference.add_stage("s" * 60)
    assert conference.stages[-1] == "s" * 60


@pytest.mark.parametrize("raw", ["Side", "side", "  SIDE  "])
def test_remove_stage_records_its_canonical_name(
    make_conference: MakeConference, recorded: Recorded, raw: str
) -> None:
    conference = make_conference()
    conference.remove_stage(raw)
    assert conference.stages == ["Main"]
    recorded(conference, StageRemoved, 2, {"stage": "Side"})


def test_remove_unknown_stage_is_refused(make_conference: MakeConference, refused: Refused) -> None:
    conference = make_conference()
    with refused(conference, StageUnknown):
        conference.remove_stage("Garden")


def test_remove_the_last_stage_is_refused(
    make_conference: MakeConference, refused: Refused
) -> None:
    conference = make_conference(stages=["Main"])
    with refused(conference, LastStage):
        conference.remove_stage("Main")


def test_remove_a_stage_in_use_is_refused_until_it_is_free(
    make_conference: MakeConference, make_talk: MakeTalk, refused: Refused, recorded: Recorded
) -> None:
    conference = make_conference()
    talk = make_talk(status="accepted")
    conference.schedule(
        talk, stage="Side", starts_at=moment("2026-06-01T10:00:00Z"), speakers_of={}
    )
    conference.pull_events()

    with refused(conference, StageInUse):
        conference.remove_stage("side")

    conference.unschedule(talk.id)
    conference.pull_events()
    conference.remove_stage("side")
    recorded(conference, StageRemoved, 4, {"stage": "Side"})


def test_stage_named_matches_ignoring_case(make_conference: MakeConference) -> None:
    conference = make_conference()
    assert conference.stage_named(" main ") == "Main"
    with pytest.raises(StageUnknown):
        conference.stage_named("Mainstage")


# --- versions and snapshots ----------------------------------------------------------------


def test_each_event_advances_the_version_by_one_and_pull_events_clears(
    conference_input: dict[str, Any],
) -> None:
    conference = create(conference_input)
    conference.rename("Renamed")
    conference.add_stage("Hall B")
    conference.remove_stage("Side")

    events = conference.pull_events()
    assert [type(e) for e in events] == [
        ConferenceCreated,
        ConferenceRenamed,
        StageAdded,
        StageRemoved,
    ]
    assert [e.aggregate_version for e in events] == [1, 2, 3, 4]
    assert {e.aggregate_id for e in events} == {"conf-1"}
    assert len({e.event_id for e in events}) == 4
    assert conference.version == 4
    assert conference.pull_events() == []


def test_state_round_trip(make_conference: MakeConference, make_talk: MakeTalk) -> None:
    conference = make_conference(timezone="Europe/Berlin", stages=["Main", "Side", "Hall B"])
    talk = make_talk(status="accepted")
    conference.schedule(talk, stage="side", starts_at=moment("2026-06-01T10:00:00"), speakers_of={})
    conference.pull_events()
    state = conference.to_state()
    assert state == {
        "name": "PyCon Nowhere",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-02",
        "timezone": "Europe/Berlin",
        "stages": ["Main", "Side", "Hall B"],
        "slots": [
            {
                "talk_id": "talk-1",
                "stage": "Side",
                "starts_at": "2026-06-01T08:00:00+00:00",
                "ends_at": "2026-06-01T08:40:00+00:00",
            }
        ],
    }

    restored = Conference.from_state("conf-1", conference.version, state)

    assert restored.to_state() == state
    assert (restored.id, restored.version) == ("conf-1", 2)
    assert restored.slots == conference.slots
    assert restored.pull_events() == []


@pytest.mark.parametrize(
    ("starts_on", "ends_on"), [("1899-12-31", "1900-01-01"), ("2999-12-31", "3000-01-01")]
)
def test_dates_outside_the_supported_calendar_are_refused(starts_on: str, ends_on: str) -> None:
    from shared_domain.conference import Conference
    from shared_domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        Conference.create(
            "c", **typed(name="Edge", starts_on=starts_on, ends_on=ends_on, stages=["Main"])
        )
    assert len(error.value.errors) == 1
