"""The schedule, owned by the Conference aggregate.

The default conference runs 2026-06-01 to 2026-06-02 in UTC with stages Main and Side; the
default talk lasts 40 minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared_domain.conference import Conference, Slot
from shared_domain.errors import (
    InvalidInput,
    SlotOutsideConference,
    SpeakerDoubleBooked,
    StageSlotTaken,
    StageUnknown,
    TalkNotAccepted,
    TalkNotScheduled,
    TalkOfOtherConference,
)
from shared_domain.events import TalkScheduled, TalkUnscheduled
from shared_domain.talk import Talk, speakers_of
from shared_domain.values import Speaker
from tests.unit.domain.conftest import MakeConference, MakeTalk, Recorded, Refused
from tests.unit.domain.typed_input import moment


def put(conference: Conference, talk: Talk, stage: str, starts_at: object, *others: Talk) -> None:
    """Schedule ``talk``; ``others`` are the talks that may already hold slots."""
    conference.schedule(
        talk, stage=stage, starts_at=moment(starts_at), speakers_of=speakers_of([talk, *others])
    )


def scheduled_data(talk_id: str, stage: str, starts_at: str, ends_at: str) -> dict[str, str]:
    return {"talk_id": talk_id, "stage": stage, "starts_at": starts_at, "ends_at": ends_at}


@pytest.fixture
def conference(make_conference: MakeConference) -> Conference:
    return make_conference()


@pytest.fixture
def ada_talk(make_talk: MakeTalk) -> Talk:
    """Accepted, 40 minutes, spoken by Ada Lovelace."""
    return make_talk("talk-ada", status="accepted", speakers=["Ada Lovelace"])


@pytest.fixture
def grace_talk(make_talk: MakeTalk) -> Talk:
    """Accepted, 40 minutes, spoken by Grace Hopper."""
    return make_talk("talk-grace", status="accepted", speakers=["Grace Hopper"])


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def slot_of(conference: Conference, talk_id: str) -> Slot:
    """The talk's slot; the test fails here if it has none."""
    slot = conference.slot_of(talk_id)
    assert slot is not None, f"{talk_id} has no slot"
    return slot


# --- scheduling --------------------------------------------------------------------------


def test_schedule_records_talk_scheduled_on_the_conference_only(
    conference: Conference, ada_talk: Talk, recorded: Recorded
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")

    recorded(
        conference,
        TalkScheduled,
        2,
        scheduled_data(
            "talk-ada", "Main", "2026-06-01T10:00:00+00:00", "2026-06-01T10:40:00+00:00"
        ),
    )
    assert conference.slot_of("talk-ada") == Slot(
        "talk-ada", "Main", utc("2026-06-01T10:00:00Z"), utc("2026-06-01T10:40:00Z")
    )
    assert conference.scheduled_talk_ids() == ["talk-ada"]
    # schedule changes are the conference's: the talk's version does not move
    assert ada_talk.version == 2
    assert ada_talk.pull_events() == []


@pytest.mark.parametrize(
    ("fmt", "duration", "ends_at"),
    [
        ("lightning", None, "2026-06-01T10:10:00+00:00"),
        ("workshop", None, "2026-06-01T12:00:00+00:00"),
        ("keynote", None, "2026-06-01T10:45:00+00:00"),
        ("talk", 25, "2026-06-01T10:25:00+00:00"),
    ],
)
def test_slot_lasts_the_talks_duration(
    conference: Conference, make_talk: MakeTalk, fmt: str, duration: int | None, ends_at: str
) -> None:
    talk = make_talk(status="accepted", format=fmt, duration_minutes=duration)
    put(conference, talk, "Main", "2026-06-01T10:00:00Z")
    assert conference.pull_events()[0].data()["ends_at"] == ends_at


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn"])
def test_only_accepted_talks_can_be_scheduled(
    conference: Conference, make_talk: MakeTalk, refused: Refused, status: str
) -> None:
    talk = make_talk(status=status)
    with refused(conference, TalkNotAccepted):
        put(conference, talk, "Main", "2026-06-01T10:00:00Z")


def test_talk_of_another_conference_is_refused(
    conference: Conference, make_talk: MakeTalk, refused: Refused
) -> None:
    talk = make_talk(status="accepted", conference_id="conf-2")
    with refused(conference, TalkOfOtherConference):
        put(conference, talk, "Main", "2026-06-01T10:00:00Z")


def test_unknown_stage_is_refused(conference: Conference, ada_talk: Talk, refused: Refused) -> None:
    with refused(conference, StageUnknown):
        put(conference, ada_talk, "Garden", "2026-06-01T10:00:00Z")


@pytest.mark.parametrize("stage", ["main", "MAIN", "  Main "])
def test_stage_matches_ignoring_case_and_records_its_canonical_name(
    conference: Conference, ada_talk: Talk, stage: str
) -> None:
    put(conference, ada_talk, stage, "2026-06-01T10:00:00Z")
    assert conference.pull_events()[0].data()["stage"] == "Main"
    assert slot_of(conference, "talk-ada").stage == "Main"


@pytest.mark.parametrize("starts_at", ["tomorrow at ten", "", None, 1780308000])
def test_start_must_be_an_iso_date_time(
    conference: Conference, ada_talk: Talk, refused: Refused, starts_at: str | int | None
) -> None:
    with refused(conference, InvalidInput, "starts_at"):
        put(conference, ada_talk, "Main", starts_at)


@pytest.mark.parametrize(
    ("starts_at", "stored"),
    [
        ("2026-06-01T12:00:00+02:00", "2026-06-01T10:00:00+00:00"),
        ("2026-06-01T05:30:00-04:30", "2026-06-01T10:00:00+00:00"),
        ("2026-06-01T10:00:00", "2026-06-01T10:00:00+00:00"),  # naive: the conference's zone
    ],
)
def test_start_is_stored_in_utc(
    conference: Conference, ada_talk: Talk, starts_at: str, stored: str
) -> None:
    put(conference, ada_talk, "Main", starts_at)
    assert conference.pull_events()[0].data()["starts_at"] == stored


# --- within the conference's days ----------------------------------------------------------


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-06-01T00:00:00Z",  # first minute of the first day
        "2026-06-01T23:40:00Z",  # crosses midnight between the two days
        "2026-06-02T23:20:00Z",  # ends exactly at the end of the last day
    ],
)
def test_slot_within_the_conference_days_is_accepted(
    conference: Conference, ada_talk: Talk, starts_at: str
) -> None:
    put(conference, ada_talk, "Main", starts_at)
    assert conference.version == 2


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-05-31T23:59:00Z",  # starts the minute before the first day
        "2026-05-31T12:00:00Z",
        "2026-06-02T23:21:00Z",  # overlaps the end of the last day by a minute
        "2026-06-03T00:00:00Z",
        "2026-06-03T09:00:00",
    ],
)
def test_slot_outside_the_conference_days_is_refused(
    conference: Conference, ada_talk: Talk, refused: Refused, starts_at: str
) -> None:
    with refused(conference, SlotOutsideConference):
        put(conference, ada_talk, "Main", starts_at)


@pytest.mark.parametrize(
    ("starts_at", "stored"),
    [
        # summer in Berlin is UTC+2: the single day runs 05-31T22:00Z to 06-01T22:00Z
        ("2026-05-31T22:00:00Z", "2026-05-31T22:00:00+00:00"),
        ("2026-06-01T21:20:00Z", "2026-06-01T21:20:00+00:00"),
        ("2026-06-01T23:20:00+02:00", "2026-06-01T21:20:00+00:00"),
        # naive times are read in Berlin (read as UTC they would fall outside the day)
        ("2026-06-01T00:00:00", "2026-05-31T22:00:00+00:00"),
        ("2026-06-01T23:20:00", "2026-06-01T21:20:00+00:00"),
    ],
)
def test_slot_inside_the_days_in_the_conference_timezone(
    make_conference: MakeConference, ada_talk: Talk, starts_at: str, stored: str
) -> None:
    conference = make_conference(
        timezone="Europe/Berlin", starts_on="2026-06-01", ends_on="2026-06-01"
    )
    put(conference, ada_talk, "Main", starts_at)
    assert conference.pull_events()[0].data()["starts_at"] == stored


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-05-31T21:59:00Z",  # 23:59 on May 31 in Berlin
        "2026-06-01T21:21:00Z",  # ends 00:01 on June 2 in Berlin
        "2026-06-01T23:00:00Z",  # still June 1 in UTC, but June 2 in Berlin
        "2026-05-31T23:30:00",  # naive, May 31 in Berlin
        "2026-06-01T23:30:00",  # naive, ends 00:10 on June 2 in Berlin
    ],
)
def test_slot_outside_the_days_in_the_conference_timezone(
    make_conference: MakeConference, ada_talk: Talk, refused: Refused, starts_at: str
) -> None:
    conference = make_conference(
        timezone="Europe/Berlin", starts_on="2026-06-01", ends_on="2026-06-01"
    )
    with refused(conference, SlotOutsideConference):
        put(conference, ada_talk, "Main", starts_at)


@pytest.fixture
def dst_conference(make_conference: MakeConference) -> Conference:
    """Berlin springs forward on 2026-03-29 at 02:00: the days are 47 hours long."""
    return make_conference(timezone="Europe/Berlin", starts_on="2026-03-28", ends_on="2026-03-29")


@pytest.mark.parametrize(
    ("starts_at", "stored"),
    [
        ("2026-03-27T23:00:00Z", "2026-03-27T23:00:00+00:00"),  # 00:00 CET, first minute
        ("2026-03-29T21:20:00Z", "2026-03-29T21:20:00+00:00"),  # ends 00:00 CEST, last minute
        ("2026-03-28T09:00:00", "2026-03-28T08:00:00+00:00"),  # naive, CET (+1)
        ("2026-03-29T09:00:00", "2026-03-29T07:00:00+00:00"),  # naive, CEST (+2)
        ("2026-03-29T01:40:00", "2026-03-29T00:40:00+00:00"),  # naive, across the switch
    ],
)
def test_dst_conference_accepts_slots_inside_its_local_days(
    dst_conference: Conference, ada_talk: Talk, starts_at: str, stored: str
) -> None:
    put(dst_conference, ada_talk, "Main", starts_at)
    event = dst_conference.pull_events()[0]
    assert event.data()["starts_at"] == stored
    assert utc(event.data()["ends_at"]) - utc(stored) == timedelta(minutes=40)


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-03-27T22:59:00Z",  # 23:59 CET on March 27
        "2026-03-29T22:10:00Z",  # 00:10 CEST on March 30 (would be 23:10 at a fixed +1)
        "2026-03-29T23:30:00",  # naive, ends 00:10 on March 30
    ],
)
def test_dst_conference_refuses_slots_outside_its_local_days(
    dst_conference: Conference, ada_talk: Talk, refused: Refused, starts_at: str
) -> None:
    with refused(dst_conference, SlotOutsideConference):
        put(dst_conference, ada_talk, "Main", starts_at)


# --- one stage, one talk at a time ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "starts_at"),
    [
        ("talk", "2026-06-01T10:00:00Z"),  # same slot
        ("talk", "2026-06-01T10:20:00Z"),  # starts inside
        ("talk", "2026-06-01T09:30:00Z"),  # ends inside
        ("lightning", "2026-06-01T10:10:00Z"),  # lies inside
        ("workshop", "2026-06-01T09:30:00Z"),  # covers it
        ("lightning", "2026-06-01T10:39:00Z"),  # one minute of overlap
    ],
)
def test_overlap_on_the_same_stage_is_refused(
    conference: Conference,
    ada_talk: Talk,
    make_talk: MakeTalk,
    refused: Refused,
    fmt: str,
    starts_at: str,
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")  # 10:00-10:40
    conference.pull_events()
    other = make_talk("talk-other", status="accepted", speakers=["Linus"], format=fmt)
    with refused(conference, StageSlotTaken):
        put(conference, other, "main", starts_at, ada_talk)


@pytest.mark.parametrize(
    ("stage", "starts_at", "ends_at"),
    [
        ("Main", "2026-06-01T10:40:00+00:00", "2026-06-01T11:20:00+00:00"),  # starts at its end
        ("Main", "2026-06-01T09:20:00+00:00", "2026-06-01T10:00:00+00:00"),  # ends at its start
        ("Side", "2026-06-01T10:00:00+00:00", "2026-06-01T10:40:00+00:00"),  # other stage
    ],
)
def test_back_to_back_or_other_stage_is_allowed(
    conference: Conference,
    ada_talk: Talk,
    grace_talk: Talk,
    recorded: Recorded,
    stage: str,
    starts_at: str,
    ends_at: str,
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    conference.pull_events()
    put(conference, grace_talk, stage, starts_at, ada_talk)
    recorded(conference, TalkScheduled, 3, scheduled_data("talk-grace", stage, starts_at, ends_at))


# --- a speaker is in one place at a time -----------------------------------------------------


@pytest.mark.parametrize(
    "speakers",
    [
        ["Ada Lovelace"],
        ["ada lovelace"],
        ["  ADA LOVELACE  "],
        ["Grace Hopper", "Ada Lovelace"],  # a co-speaker
    ],
)
def test_speaker_double_booking_across_stages_is_refused(
    conference: Conference,
    ada_talk: Talk,
    make_talk: MakeTalk,
    refused: Refused,
    speakers: list[str],
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    conference.pull_events()
    other = make_talk("talk-other", status="accepted", speakers=speakers)
    with refused(conference, SpeakerDoubleBooked):
        put(conference, other, "Side", "2026-06-01T10:20:00Z", ada_talk)


@pytest.mark.parametrize(
    ("speakers", "starts_at"),
    [
        (["Ada Lovelace"], "2026-06-01T10:40:00Z"),  # same speaker, right after
        (["Ada Lovelace"], "2026-06-01T09:20:00Z"),  # same speaker, right before
        (["Ada Byron"], "2026-06-01T10:20:00Z"),  # another speaker, at the same time
    ],
)
def test_speaker_free_at_that_time_is_allowed(
    conference: Conference, ada_talk: Talk, make_talk: MakeTalk, speakers: list[str], starts_at: str
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    other = make_talk("talk-other", status="accepted", speakers=speakers)
    put(conference, other, "Side", starts_at, ada_talk)
    assert conference.scheduled_talk_ids() == ["talk-ada", "talk-other"]


# --- moving, unscheduling -------------------------------------------------------------------


def test_scheduling_again_moves_the_talk_without_conflicting_with_itself(
    conference: Conference, ada_talk: Talk, recorded: Recorded
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    conference.pull_events()

    put(conference, ada_talk, "Main", "2026-06-01T10:20:00Z")  # overlaps its own old slot

    recorded(
        conference,
        TalkScheduled,
        3,
        scheduled_data(
            "talk-ada", "Main", "2026-06-01T10:20:00+00:00", "2026-06-01T11:00:00+00:00"
        ),
    )
    assert [s.talk_id for s in conference.slots] == ["talk-ada"]


def test_moving_frees_the_old_slot(
    conference: Conference, ada_talk: Talk, grace_talk: Talk
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    put(conference, ada_talk, "Side", "2026-06-01T10:00:00Z")
    put(conference, grace_talk, "Main", "2026-06-01T10:00:00Z", ada_talk)
    assert {s.talk_id: s.stage for s in conference.slots} == {
        "talk-ada": "Side",
        "talk-grace": "Main",
    }
    assert conference.version == 4


def test_moving_into_a_conflict_is_refused_and_keeps_the_old_slot(
    conference: Conference, ada_talk: Talk, grace_talk: Talk, refused: Refused
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    put(conference, grace_talk, "Main", "2026-06-01T11:00:00Z", ada_talk)
    conference.pull_events()
    with refused(conference, StageSlotTaken):
        put(conference, ada_talk, "Main", "2026-06-01T11:30:00Z", grace_talk)
    assert slot_of(conference, "talk-ada").starts_at == utc("2026-06-01T10:00:00Z")


@pytest.mark.parametrize(
    ("stage", "starts_at"),
    [
        ("Main", "2026-06-01T10:00:00Z"),
        ("main", "2026-06-01T12:00:00+02:00"),  # the same slot, written differently
        ("MAIN", "2026-06-01T10:00:00"),
    ],
)
def test_scheduling_into_the_same_slot_records_nothing(
    conference: Conference, ada_talk: Talk, stage: str, starts_at: str
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    conference.pull_events()
    put(conference, ada_talk, stage, starts_at)
    assert conference.version == 2
    assert conference.pull_events() == []


def test_same_slot_after_a_round_trip_through_state_records_nothing(
    conference: Conference, ada_talk: Talk
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    restored = type(conference).from_state(conference.id, conference.version, conference.to_state())
    put(restored, ada_talk, "Main", "2026-06-01T10:00:00Z")
    assert restored.pull_events() == []


@pytest.mark.parametrize("reason", ["unscheduled", "withdrawn"])
def test_unschedule_frees_the_slot(
    conference: Conference, ada_talk: Talk, grace_talk: Talk, recorded: Recorded, reason: str
) -> None:
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    conference.pull_events()

    if reason == "unscheduled":
        conference.unschedule("talk-ada")
    else:
        conference.unschedule("talk-ada", reason=reason)

    recorded(conference, TalkUnscheduled, 3, {"talk_id": "talk-ada", "reason": reason})
    assert conference.slot_of("talk-ada") is None
    assert conference.slots == ()
    put(conference, grace_talk, "Main", "2026-06-01T10:00:00Z")
    assert conference.slot_of("talk-grace") is not None


def test_unschedule_an_unscheduled_talk_is_refused(
    conference: Conference, ada_talk: Talk, refused: Refused
) -> None:
    with refused(conference, TalkNotScheduled):
        conference.unschedule("talk-unknown")
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    conference.unschedule("talk-ada")
    conference.pull_events()
    with refused(conference, TalkNotScheduled):
        conference.unschedule("talk-ada")


# --- new speakers of a scheduled talk --------------------------------------------------------


@pytest.fixture
def busy_conference(conference: Conference, ada_talk: Talk, grace_talk: Talk) -> Conference:
    """Ada on Main 10:00-10:40, Grace on Side 10:20-11:00."""
    put(conference, ada_talk, "Main", "2026-06-01T10:00:00Z")
    put(conference, grace_talk, "Side", "2026-06-01T10:20:00Z", ada_talk)
    conference.pull_events()
    return conference


@pytest.mark.parametrize("names", [["Ada Lovelace"], ["Linus", " ada LOVELACE "]])
def test_ensure_speakers_free_refuses_a_speaker_busy_elsewhere(
    busy_conference: Conference,
    ada_talk: Talk,
    grace_talk: Talk,
    refused: Refused,
    names: list[str],
) -> None:
    with refused(busy_conference, SpeakerDoubleBooked):
        busy_conference.ensure_speakers_free(
            "talk-grace", [Speaker(n) for n in names], speakers_of([ada_talk, grace_talk])
        )


@pytest.mark.parametrize(
    ("talk_id", "names"),
    [
        ("talk-grace", ["Grace Hopper", "Linus"]),  # nobody busy elsewhere
        ("talk-ada", ["Ada Lovelace"]),  # its own slot does not count
        ("talk-unscheduled", ["Ada Lovelace"]),  # no slot: nothing to check
    ],
)
def test_ensure_speakers_free_accepts_free_speakers(
    busy_conference: Conference, ada_talk: Talk, grace_talk: Talk, talk_id: str, names: list[str]
) -> None:
    busy_conference.ensure_speakers_free(
        talk_id, [Speaker(n) for n in names], speakers_of([ada_talk, grace_talk])
    )
    assert busy_conference.version == 3
    assert busy_conference.pull_events() == []


# --- slots ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (("10:00", "10:40"), ("10:40", "11:00"), False),
        (("10:00", "10:40"), ("09:00", "10:00"), False),
        (("10:00", "10:40"), ("10:39", "11:00"), True),
        (("10:00", "10:40"), ("10:10", "10:20"), True),
        (("10:00", "10:40"), ("09:00", "12:00"), True),
    ],
)
def test_slot_overlap_is_symmetric_and_back_to_back_does_not_overlap(
    a: tuple[str, str], b: tuple[str, str], overlap: bool
) -> None:
    def slot(times: tuple[str, str]) -> Slot:
        start, end = (utc(f"2026-06-01T{t}:00Z") for t in times)
        return Slot("t", "Main", start, end)

    assert slot(a).overlaps(slot(b)) is overlap
    assert slot(b).overlaps(slot(a)) is overlap


def test_slot_data_round_trip() -> None:
    slot = Slot("t", "Main", utc("2026-06-01T10:00:00Z"), utc("2026-06-01T10:40:00Z"))
    assert Slot.from_data(slot.to_data()) == slot


@pytest.mark.parametrize("stage", [None, 3, ["Main"]])
def test_a_stage_that_is_not_a_name_is_invalid_input(
    conference: Conference, ada_talk: Talk, refused: Refused, stage: int | list[str] | None
) -> None:
    with refused(conference, InvalidInput, "stage"):
        # wrong type on purpose
        put(conference, ada_talk, stage, "2026-06-01T10:00:00+00:00")  # type: ignore[arg-type]
