"""The Talk aggregate: its details, their validation, edits, and the review lifecycle."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from shared_domain.errors import (
    IllegalTalkTransition,
    InvalidInput,
    ScheduledDurationLocked,
    TalkNotEditable,
)
from shared_domain.events import (
    DomainEvent,
    TalkAccepted,
    TalkEdited,
    TalkRejected,
    TalkSubmitted,
    TalkWithdrawn,
)
from shared_domain.talk import DetailChanges, Talk, TalkDetails, TalkStatus, speakers_of
from shared_domain.values import Format, Speaker
from tests.unit.domain.conftest import InvalidFields, MakeDetails, MakeTalk, Recorded, Refused
from tests.unit.domain.typed_input import typed

DETAILS_DATA = {
    "title": "Event sourcing in practice",
    "abstract": "What we learned.",
    "speakers": [{"name": "Ada Lovelace", "company": "Analytical Engines"}],
    "tags": ["python", "ddd"],
    "level": "intermediate",
    "format": "talk",
    "duration_minutes": 40,
    "language": "en",
}


def parse(talk_input: dict[str, Any], **overrides: object) -> TalkDetails:
    return TalkDetails.parse(**typed(**{**talk_input, **overrides}))


# --- submit ------------------------------------------------------------------------------


def test_submit_records_talk_submitted(make_details: MakeDetails, recorded: Recorded) -> None:
    talk = Talk.submit("talk-1", "conf-1", make_details())

    assert (talk.id, talk.conference_id, talk.status) == ("talk-1", "conf-1", "submitted")
    assert talk.status is TalkStatus.SUBMITTED
    assert not talk.is_accepted
    recorded(talk, TalkSubmitted, 1, {"conference_id": "conf-1", **DETAILS_DATA})


# --- details -----------------------------------------------------------------------------


def test_details_parse(talk_input: dict[str, Any]) -> None:
    details = parse(talk_input, title="  Event sourcing in practice  ")
    assert details.to_data() == DETAILS_DATA
    assert details.speakers == (Speaker("Ada Lovelace", "Analytical Engines"),)


@pytest.mark.parametrize("title", ["abc", "  abc  ", "t" * 200, " " + "t" * 200 + " "])
def test_title_3_to_200_characters_after_trim(talk_input: dict[str, Any], title: str) -> None:
    assert parse(talk_input, title=title).title == title.strip()


@pytest.mark.parametrize("title", ["ab", "  ab  ", "", "t" * 201, None, 123])
def test_title_out_of_bounds_is_refused(
    talk_input: dict[str, Any], invalid_fields: InvalidFields, title: str | int | None
) -> None:
    with invalid_fields("title"):
        parse(talk_input, title=title)


@pytest.mark.parametrize(("abstract", "expected"), [("", ""), ("  ", ""), ("a" * 5000, "a" * 5000)])
def test_abstract_0_to_5000_characters(
    talk_input: dict[str, Any], abstract: str, expected: str
) -> None:
    assert parse(talk_input, abstract=abstract).abstract == expected


def test_abstract_defaults_to_empty(talk_input: dict[str, Any]) -> None:
    del talk_input["abstract"]
    assert parse(talk_input).abstract == ""


@pytest.mark.parametrize("abstract", ["a" * 5001, None, ["text"]])
def test_abstract_over_5000_is_refused(
    talk_input: dict[str, Any], invalid_fields: InvalidFields, abstract: str | list[str] | None
) -> None:
    with invalid_fields("abstract"):
        parse(talk_input, abstract=abstract)


@pytest.mark.parametrize(
    ("speakers", "expected"),
    [
        ([{"name": "A"}], (Speaker("A"),)),
        ([{"name": "n" * 100, "company": "c" * 100}], (Speaker("n" * 100, "c" * 100),)),
        ([{"name": "Ada", "company": ""}], (Speaker("Ada"),)),
        ([{"name": " Ada ", "company": None}], (Speaker("Ada"),)),
        ([{"name": f"S{i}"} for i in range(5)], tuple(Speaker(f"S{i}") for i in range(5))),
    ],
)
def test_speakers_1_to_5_with_optional_company(
    talk_input: dict[str, Any], speakers: list[dict[str, str | None]], expected: tuple[Speaker, ...]
) -> None:
    assert parse(talk_input, speakers=speakers).speakers == expected


@pytest.mark.parametrize(
    ("speakers", "fields"),
    [
        ([], ["speakers"]),
        ([{"name": f"S{i}"} for i in range(6)], ["speakers"]),
        ([{"name": ""}], ["speakers.0.name"]),
        ([{"name": "Ada"}, {"name": "n" * 101}], ["speakers.1.name"]),
        ([{"name": "Ada", "company": "c" * 101}], ["speakers.0.company"]),
        ([{"name": "Ada"}, {"name": " ADA "}], ["speakers"]),  # the same speaker twice
        (["Ada"], ["speakers.0"]),
        (None, ["speakers"]),
    ],
)
def test_speaker_refusals(
    talk_input: dict[str, Any],
    invalid_fields: InvalidFields,
    speakers: list[dict[str, str]] | list[str] | None,
    fields: list[str],
) -> None:
    with invalid_fields(*fields):
        parse(talk_input, speakers=speakers)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([], ()),
        (["Python", "python", " PYTHON ", "K8s"], ("python", "k8s")),
        (["a" * 30, "x-1"], ("a" * 30, "x-1")),
        ([f"t{i}" for i in range(10)], tuple(f"t{i}" for i in range(10))),
    ],
)
def test_tags_normalized_collapsed_up_to_10(
    talk_input: dict[str, Any], tags: list[str], expected: tuple[str, ...]
) -> None:
    assert parse(talk_input, tags=tags).tags == expected


def test_tags_default_to_none(talk_input: dict[str, Any]) -> None:
    del talk_input["tags"]
    assert parse(talk_input).tags == ()


@pytest.mark.parametrize(
    ("tags", "fields"),
    [
        ([f"t{i}" for i in range(11)], ["tags"]),
        (["ok", "a" * 31], ["tags.1"]),
        (["", "c#"], ["tags.0", "tags.1"]),
    ],
)
def test_tag_refusals(
    talk_input: dict[str, Any], invalid_fields: InvalidFields, tags: list[str], fields: list[str]
) -> None:
    with invalid_fields(*fields):
        parse(talk_input, tags=tags)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(("level", v) for v in ("beginner", "intermediate", "advanced")),
        *(("format", v) for v in ("talk", "lightning", "workshop", "keynote")),
    ],
)
def test_level_and_format_enums(talk_input: dict[str, Any], field: str, value: str) -> None:
    assert getattr(parse(talk_input, **{field: value}), field) == value


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"level": "expert"}, ["level"]),
        ({"level": "Beginner"}, ["level"]),
        ({"level": None}, ["level"]),
        ({"format": "panel"}, ["format"]),
        ({"format": "TALK"}, ["format"]),
        ({"format": None}, ["format"]),
    ],
)
def test_level_and_format_outside_the_enums_are_refused(
    talk_input: dict[str, Any],
    invalid_fields: InvalidFields,
    overrides: dict[str, str | None],
    fields: list[str],
) -> None:
    with invalid_fields(*fields):
        parse(talk_input, **overrides)


@pytest.mark.parametrize(
    ("fmt", "minutes"), [("talk", 40), ("lightning", 10), ("workshop", 120), ("keynote", 45)]
)
def test_duration_defaults_by_format(talk_input: dict[str, Any], fmt: str, minutes: int) -> None:
    assert parse(talk_input, format=fmt).duration_minutes == minutes
    assert parse(talk_input, format=fmt, duration_minutes=None).duration_minutes == minutes


@pytest.mark.parametrize("minutes", [5, 30, 480])
def test_duration_5_to_480(talk_input: dict[str, Any], minutes: int) -> None:
    assert parse(talk_input, format="lightning", duration_minutes=minutes).duration_minutes == (
        minutes
    )


@pytest.mark.parametrize("minutes", [4, 481, 0, -40, True, 45.0, "45"])
def test_duration_out_of_range_is_refused(
    talk_input: dict[str, Any], invalid_fields: InvalidFields, minutes: int | float | str
) -> None:
    with invalid_fields("duration_minutes"):
        parse(talk_input, duration_minutes=minutes)


def test_every_invalid_field_is_reported_at_once(invalid_fields: InvalidFields) -> None:
    with invalid_fields(
        "title",
        "abstract",
        "speakers.0.name",
        "tags.1",
        "level",
        "format",
        "duration_minutes",
    ):
        TalkDetails.parse(
            **typed(
                title="x",
                abstract="a" * 5001,
                speakers=[{"name": ""}],
                tags=["ok", "not ok"],
                level="guru",
                format="panel",
                duration_minutes=1000,
            )
        )


def test_details_data_round_trip(make_details: MakeDetails) -> None:
    details = make_details(speakers=[{"name": "Ada"}, {"name": "Grace", "company": "Navy"}])
    assert TalkDetails.from_data(details.to_data()) == details
    assert details.speaker_keys() == frozenset({"ada", "grace"})


# --- revise (PATCH) -------------------------------------------------------------------------


def test_revise_changes_only_the_named_fields(make_details: MakeDetails) -> None:
    details = make_details()
    revised = details.revise({"title": "  A new title ", "tags": ["New", "new"]})
    assert revised.to_data() == {**DETAILS_DATA, "title": "A new title", "tags": ["new"]}
    assert details.to_data() == DETAILS_DATA  # the original is untouched


def test_revise_with_no_changes_is_equal(make_details: MakeDetails) -> None:
    details = make_details()
    assert details.revise({}) == details


def test_revise_format_keeps_the_current_duration(make_details: MakeDetails) -> None:
    assert make_details().revise({"format": Format.WORKSHOP}).duration_minutes == 40


@pytest.mark.parametrize("field", ["status", "conference_id", "id", "rating"])
def test_revise_an_unknown_field_is_refused(
    make_details: MakeDetails, invalid_fields: InvalidFields, field: str
) -> None:
    with invalid_fields(field):
        # a key that is no detail, on purpose
        make_details().revise({field: "x", "title": "Still valid"})  # type: ignore[misc]


def test_revise_reports_every_invalid_field(
    make_details: MakeDetails, invalid_fields: InvalidFields
) -> None:
    with invalid_fields("title", "speakers.0.company", "duration_minutes"):
        make_details().revise(
            {"title": "", "speakers": [Speaker("A", "c" * 101)], "duration_minutes": 0}
        )


# --- language ------------------------------------------------------------------------------


def test_language_defaults_to_english(talk_input: dict[str, Any]) -> None:
    assert parse(talk_input).language == "en"


@pytest.mark.parametrize(("given", "kept"), [("fr", "fr"), ("DE", "de"), ("pt", "pt")])
def test_language_is_an_iso_639_1_code_lower_cased(
    talk_input: dict[str, Any], given: str, kept: str
) -> None:
    assert parse(talk_input, language=given).language == kept


@pytest.mark.parametrize("code", ["xx", "eng", "e", "", " en", "fr-CA", "zz", "é", 7, None])
def test_a_code_iso_639_1_does_not_assign_is_refused(
    talk_input: dict[str, Any], invalid_fields: InvalidFields, code: object
) -> None:
    with invalid_fields("language"):
        parse(talk_input, language=code)


def test_revise_changes_the_language_alone(make_details: MakeDetails) -> None:
    details = make_details()
    assert details.revise({"language": "es"}) == replace(details, language="es")


def test_a_snapshot_from_before_languages_reads_as_english() -> None:
    old = {key: value for key, value in DETAILS_DATA.items() if key != "language"}
    assert TalkDetails.from_data(old).language == "en"


# --- edit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "version"), [("submitted", 1), ("accepted", 2)])
def test_edit_while_submitted_or_accepted_records_talk_edited(
    make_talk: MakeTalk, recorded: Recorded, status: str, version: int
) -> None:
    talk = make_talk(status=status)
    new = talk.details.revise({"title": "Better title", "duration_minutes": 30})

    talk.edit(new, scheduled=False)

    assert talk.details == new
    assert talk.status == status
    recorded(
        talk,
        TalkEdited,
        version + 1,
        {**DETAILS_DATA, "title": "Better title", "duration_minutes": 30},
    )


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_edit_of_a_rejected_or_withdrawn_talk_is_refused(
    make_talk: MakeTalk, refused: Refused, status: str
) -> None:
    talk = make_talk(status=status)
    with refused(talk, TalkNotEditable):
        talk.edit(talk.details.revise({"title": "Better title"}), scheduled=False)


@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_edit_that_changes_nothing_records_nothing(make_talk: MakeTalk, status: str) -> None:
    talk = make_talk(status=status)
    version = talk.version
    talk.edit(talk.details.revise({"title": "  Event sourcing in practice "}), scheduled=True)
    assert talk.version == version
    assert talk.pull_events() == []


@pytest.mark.parametrize(
    "changes", [{"duration_minutes": 30}, {"duration_minutes": 30, "title": "New"}]
)
def test_duration_of_a_scheduled_talk_is_locked(
    make_talk: MakeTalk, refused: Refused, changes: DetailChanges
) -> None:
    talk = make_talk(status="accepted")
    with refused(talk, ScheduledDurationLocked):
        talk.edit(talk.details.revise(changes), scheduled=True)


def test_scheduled_talk_may_change_everything_but_its_duration(
    make_talk: MakeTalk, recorded: Recorded
) -> None:
    talk = make_talk(status="accepted")
    new = talk.details.revise({"title": "New title", "speakers": [Speaker("Grace")]})
    talk.edit(new, scheduled=True)
    recorded(
        talk,
        TalkEdited,
        3,
        {**DETAILS_DATA, "title": "New title", "speakers": [{"name": "Grace", "company": None}]},
    )


# --- lifecycle -------------------------------------------------------------------------------


ALLOWED = [
    ("submitted", "accept", (), "accepted", TalkAccepted, {}),
    ("submitted", "reject", (" Off topic ",), "rejected", TalkRejected, {"reason": "Off topic"}),
    ("submitted", "reject", (), "rejected", TalkRejected, {"reason": ""}),
    ("submitted", "withdraw", (), "withdrawn", TalkWithdrawn, {}),
    ("accepted", "withdraw", (), "withdrawn", TalkWithdrawn, {}),
]
# every other (status, command) pair: accepted cannot be accepted or rejected again, and
# rejected and withdrawn are final
REFUSED = [
    (status.value, command)
    for status in TalkStatus
    for command in ("accept", "reject", "withdraw")
    if (status.value, command) not in {(a[0], a[1]) for a in ALLOWED}
]


@pytest.mark.parametrize(("start", "command", "args", "target", "event", "data"), ALLOWED)
def test_allowed_transitions(
    make_talk: MakeTalk,
    recorded: Recorded,
    start: str,
    command: str,
    args: tuple[str, ...],
    target: str,
    event: type[DomainEvent],
    data: dict[str, str],
) -> None:
    talk = make_talk(status=start)
    version = talk.version
    getattr(talk, command)(*args)
    assert talk.status == target
    recorded(talk, event, version + 1, data)


@pytest.mark.parametrize(("start", "command"), REFUSED)
def test_refused_transitions(
    make_talk: MakeTalk, refused: Refused, start: str, command: str
) -> None:
    talk = make_talk(status=start)
    with refused(talk, IllegalTalkTransition):
        getattr(talk, command)()
    assert talk.status == start


@pytest.mark.parametrize("reason", ["r" * 1001, None, 5])
def test_reject_with_an_invalid_reason_is_refused(
    make_talk: MakeTalk, refused: Refused, reason: str | int | None
) -> None:
    talk = make_talk()
    with refused(talk, InvalidInput, "reason"):
        talk.reject(reason)  # type: ignore[arg-type]  # wrong type on purpose
    assert talk.status == "submitted"


def test_reject_reason_up_to_1000(make_talk: MakeTalk) -> None:
    talk = make_talk()
    talk.reject("r" * 1000)
    assert talk.pull_events()[0].data() == {"reason": "r" * 1000}


# --- versions and snapshots -------------------------------------------------------------------


def test_each_event_advances_the_version_by_one_and_pull_events_clears(
    make_details: MakeDetails,
) -> None:
    talk = Talk.submit("talk-1", "conf-1", make_details())
    talk.edit(talk.details.revise({"title": "Second"}), scheduled=False)
    talk.accept()
    talk.edit(talk.details.revise({"title": "Third"}), scheduled=False)
    talk.withdraw()

    events = talk.pull_events()

    assert [type(e) for e in events] == [
        TalkSubmitted,
        TalkEdited,
        TalkAccepted,
        TalkEdited,
        TalkWithdrawn,
    ]
    assert [e.aggregate_version for e in events] == [1, 2, 3, 4, 5]
    assert talk.version == 5
    assert talk.pull_events() == []


@pytest.mark.parametrize("status", ["submitted", "accepted", "rejected", "withdrawn"])
def test_state_round_trip(make_talk: MakeTalk, status: str) -> None:
    talk = make_talk(
        status=status,
        speakers=[{"name": "Ada"}, {"name": "Grace", "company": "Navy"}],
        duration_minutes=25,
    )
    state = talk.to_state()
    assert state == {
        "conference_id": "conf-1",
        "status": status,
        "details": {
            **DETAILS_DATA,
            "speakers": [{"name": "Ada", "company": None}, {"name": "Grace", "company": "Navy"}],
            "duration_minutes": 25,
        },
    }

    restored = Talk.from_state("talk-1", talk.version, state)

    assert restored.to_state() == state
    assert (restored.id, restored.version, restored.conference_id) == (
        "talk-1",
        talk.version,
        "conf-1",
    )
    assert restored.status is TalkStatus(status)
    assert restored.details == talk.details
    assert restored.pull_events() == []


def test_speakers_of_maps_talk_ids_to_speakers(make_talk: MakeTalk) -> None:
    a = make_talk("a", speakers=["Ada"])
    b = make_talk("b", speakers=["Grace", "Linus"])
    assert speakers_of([a, b]) == {
        "a": (Speaker("Ada"),),
        "b": (Speaker("Grace"), Speaker("Linus")),
    }
