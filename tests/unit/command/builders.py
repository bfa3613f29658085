"""Commands and domain values for the handler tests, built in one place.

The first helpers turn the literals tests write into the values commands and aggregates
take; when those types change (enums, value objects, ``date``/``datetime``), only these
change. Everything below builds through them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from command_service.handlers.add_stage import AddStage
from command_service.handlers.create_conference import CreateConference
from command_service.handlers.edit_talk import EditTalk
from command_service.handlers.expected_version import ExpectedVersion
from command_service.handlers.rate_talk import RateTalk
from command_service.handlers.reject_talk import RejectTalk
from command_service.handlers.remove_stage import RemoveStage
from command_service.handlers.rename_conference import RenameConference
from command_service.handlers.schedule_talk import ScheduleTalk
from command_service.handlers.submit_talk import SubmitTalk
from shared_domain.conference import Conference
from shared_domain.ratings import TalkRatings
from shared_domain.talk import DetailChanges, Talk, TalkDetails
from shared_domain.values import Format, Level, Speaker

# --- values: the one place that knows how a literal becomes a domain value ----------------


def day(iso: str) -> Any:
    """A conference day, ``2026-06-01``, as a ``date`` (anything else as it is)."""
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return iso


def moment(iso: str) -> Any:
    """A point in time, ``2026-06-01T09:00:00+00:00``, as a ``datetime``."""
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return iso


def speaker(name: str, company: str | None = None) -> Speaker:
    return Speaker(name, company)


def level(name: str) -> Any:
    """A ``Level`` (a name the domain does not know stays a string, for it to refuse)."""
    return Level(name) if name in set(Level) else name


def talk_format(name: str) -> Any:
    return Format(name) if name in set(Format) else name


def stage(name: str) -> Any:
    return name


def text(value: str) -> Any:
    """A name, title or reason as a command carries it."""
    return value


def changes(**fields: Any) -> DetailChanges:
    """An edit's changed fields; speakers given as ``speaker(...)`` values.

    Cast, not checked: tests also name fields that are no detail, for the handler to refuse.
    """
    return cast(DetailChanges, dict(fields))


def expect(*versions: int) -> ExpectedVersion:
    """``If-Match`` naming these versions (``expect()`` with none matches any version)."""
    if not versions:
        return ExpectedVersion(any_version=True)
    return ExpectedVersion(versions=frozenset(versions))


# --- aggregates, as already stored (their creation events pulled) --------------------------

CONFERENCE_ID = "conf-1"
TALK_ID = "talk-1"
FIRST_DAY, LAST_DAY = "2026-06-01", "2026-06-02"


def new_conference(
    conference_id: str = CONFERENCE_ID,
    *,
    stages: tuple[str, ...] = ("Main", "Side"),
    timezone: str = "UTC",
) -> Conference:
    """A conference just created, its ``ConferenceCreated`` still pending."""
    return Conference.create(
        conference_id,
        name=text("PyCon Nowhere"),
        starts_on=day(FIRST_DAY),
        ends_on=day(LAST_DAY),
        timezone=timezone,
        stages=[stage(name) for name in stages],
    )


def conference(
    conference_id: str = CONFERENCE_ID,
    *,
    stages: tuple[str, ...] = ("Main", "Side"),
    timezone: str = "UTC",
) -> Conference:
    made = new_conference(conference_id, stages=stages, timezone=timezone)
    made.pull_events()
    return made


def details(*, speakers: tuple[str, ...] = ("Ada Lovelace",), **overrides: Any) -> TalkDetails:
    fields: dict[str, Any] = {
        "title": text("Event sourcing in practice"),
        "abstract": text("What we learned."),
        "speakers": [speaker(name) for name in speakers],
        "tags": ["python", "ddd"],
        "level": level("intermediate"),
        "format": talk_format("talk"),
        **overrides,
    }
    return TalkDetails.parse(**fields)


def talk(
    talk_id: str = TALK_ID,
    *,
    status: str = "submitted",
    conference_id: str = CONFERENCE_ID,
    speakers: tuple[str, ...] = ("Ada Lovelace",),
) -> Talk:
    """A talk in ``status`` (submitted, accepted, rejected or withdrawn)."""
    made = Talk.submit(talk_id, conference_id, details(speakers=speakers))
    if status == "accepted":
        made.accept()
    elif status == "rejected":
        made.reject(text("no room"))
    elif status == "withdrawn":
        made.withdraw()
    assert made.status == status, status
    made.pull_events()
    return made


def scheduled(on: Conference, *talks: tuple[Talk, str, str]) -> Conference:
    """``on`` with each (talk, stage, start) already in its schedule."""
    lookup = {t.id: t.details.speakers for t, _, _ in talks}
    for scheduled_talk, stage_name, starts_at in talks:
        on.schedule(
            scheduled_talk, stage=stage(stage_name), starts_at=moment(starts_at), speakers_of=lookup
        )
    on.pull_events()
    return on


def rated(talk_id: str, rated_talk: Talk, **stars_by_attendee: int) -> TalkRatings:
    """A ratings summary with these attendees' ratings (the talk must be accepted)."""
    summary = TalkRatings.start(talk_id)
    for attendee, stars in stars_by_attendee.items():
        summary.rate(rated_talk, attendee, stars, None)
    return summary


# --- commands ------------------------------------------------------------------------------


def create_conference(
    conference_id: str = CONFERENCE_ID, expected: ExpectedVersion | None = None, **overrides: Any
) -> CreateConference:
    fields: dict[str, Any] = {
        "name": text("PyCon Nowhere"),
        "starts_on": day(FIRST_DAY),
        "ends_on": day(LAST_DAY),
        "stages": (stage("Main"), stage("Side")),
        "timezone": "Europe/Berlin",
        **overrides,
    }
    return CreateConference(conference_id, expected_version=expected, **fields)


def submit_talk(
    talk_id: str = TALK_ID,
    conference_id: str = CONFERENCE_ID,
    expected: ExpectedVersion | None = None,
    **overrides: Any,
) -> SubmitTalk:
    fields: dict[str, Any] = {
        "title": text("Event sourcing in practice"),
        "speakers": (speaker("Ada Lovelace", "Analytical Engines"),),
        "level": level("intermediate"),
        "format": talk_format("talk"),
        "abstract": text("What we learned."),
        "tags": ("python", "ddd"),
        **overrides,
    }
    return SubmitTalk(talk_id, conference_id, expected_version=expected, **fields)


def edit_talk(
    talk_id: str = TALK_ID, expected: ExpectedVersion | None = None, **fields: Any
) -> EditTalk:
    return EditTalk(talk_id, changes(**fields), expected_version=expected)


def reject_talk(
    talk_id: str = TALK_ID, reason: str = "", expected: ExpectedVersion | None = None
) -> RejectTalk:
    return RejectTalk(talk_id, text(reason), expected_version=expected)


def schedule_talk(
    starts_at: str = "2026-06-01T09:00:00+00:00",
    *,
    talk_id: str = TALK_ID,
    on_stage: str = "Main",
    conference_id: str = CONFERENCE_ID,
    expected: ExpectedVersion | None = None,
) -> ScheduleTalk:
    return ScheduleTalk(
        conference_id, talk_id, stage(on_stage), moment(starts_at), expected_version=expected
    )


def rate_talk(
    attendee_id: str = "attendee-1",
    stars: int = 4,
    *,
    talk_id: str = TALK_ID,
    expected: ExpectedVersion | None = None,
) -> RateTalk:
    return RateTalk(talk_id, attendee_id, stars, expected_version=expected)


def rename_conference(
    name: str, conference_id: str = CONFERENCE_ID, expected: ExpectedVersion | None = None
) -> RenameConference:
    return RenameConference(conference_id, text(name), expected_version=expected)


def add_stage(
    name: str, conference_id: str = CONFERENCE_ID, expected: ExpectedVersion | None = None
) -> AddStage:
    return AddStage(conference_id, stage(name), expected_version=expected)


def remove_stage(
    name: str, conference_id: str = CONFERENCE_ID, expected: ExpectedVersion | None = None
) -> RemoveStage:
    return RemoveStage(conference_id, stage(name), expected_version=expected)
