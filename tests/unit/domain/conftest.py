"""Small factories and assertions shared by the domain model tests.

Each factory returns an aggregate whose creation events are already pulled, so a test sees
only what it causes; the factories take input as the tests write it (``typed_input``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import pytest

from shared_domain.aggregate import Aggregate
from shared_domain.conference import Conference
from shared_domain.errors import DomainError, InvalidInput
from shared_domain.events import DomainEvent
from shared_domain.ratings import TalkRatings
from shared_domain.talk import Talk, TalkDetails, speakers_of
from tests.unit.domain.typed_input import moment, typed

CONFERENCE_ID = "conf-1"
TALK_ID = "talk-1"

CONFERENCE_INPUT: dict[str, Any] = {
    "name": "PyCon Nowhere",
    "starts_on": "2026-06-01",
    "ends_on": "2026-06-02",
    "timezone": "UTC",
    "stages": ["Main", "Side"],
}

TALK_INPUT: dict[str, Any] = {
    "title": "Event sourcing in practice",
    "abstract": "What we learned.",
    "speakers": [{"name": "Ada Lovelace", "company": "Analytical Engines"}],
    "tags": ["python", "ddd"],
    "level": "intermediate",
    "format": "talk",
}

Stored = Conference | Talk | TalkRatings
"""An aggregate as ``refused`` compares it: its state, version and pending events."""


class MakeConference(Protocol):
    def __call__(self, conference_id: str = ..., **overrides: Any) -> Conference: ...


class MakeDetails(Protocol):
    def __call__(self, **overrides: Any) -> TalkDetails: ...


class MakeTalk(Protocol):
    def __call__(
        self,
        talk_id: str = ...,
        *,
        status: str = ...,
        conference_id: str = ...,
        speakers: list[Any] | None = ...,
        **overrides: Any,
    ) -> Talk: ...


class MakeRatings(Protocol):
    def __call__(
        self, talk_id: str = ..., *, version: int = ..., count: int = ..., total: int = ...
    ) -> TalkRatings: ...


class Refused(Protocol):
    def __call__(
        self, aggregate: Stored, error: type[DomainError], *fields: str
    ) -> AbstractContextManager[pytest.ExceptionInfo[DomainError]]: ...


class InvalidFields(Protocol):
    def __call__(self, *fields: str) -> AbstractContextManager[None]: ...


class Recorded(Protocol):
    def __call__(
        self, aggregate: Aggregate, cls: type[DomainEvent], version: int, data: dict[str, Any]
    ) -> DomainEvent: ...


@pytest.fixture
def conference_input() -> dict[str, Any]:
    """Valid input of ``Conference.create`` as tests write it (a fresh copy per test)."""
    return copy.deepcopy(CONFERENCE_INPUT)


@pytest.fixture
def talk_input() -> dict[str, Any]:
    """Valid input of ``TalkDetails.parse`` as tests write it (a fresh copy per test)."""
    return copy.deepcopy(TALK_INPUT)


@pytest.fixture
def make_conference() -> MakeConference:
    def make(conference_id: str = CONFERENCE_ID, **overrides: Any) -> Conference:
        conference = Conference.create(conference_id, **typed(**{**CONFERENCE_INPUT, **overrides}))
        conference.pull_events()
        return conference

    return make


@pytest.fixture
def make_details() -> MakeDetails:
    def make(**overrides: Any) -> TalkDetails:
        return TalkDetails.parse(**typed(**{**copy.deepcopy(TALK_INPUT), **overrides}))

    return make


@pytest.fixture
def make_talk(make_details: MakeDetails) -> MakeTalk:
    """A talk in the given status; ``speakers`` may be plain names."""

    def make(
        talk_id: str = TALK_ID,
        *,
        status: str = "submitted",
        conference_id: str = CONFERENCE_ID,
        speakers: list[Any] | None = None,
        **overrides: Any,
    ) -> Talk:
        if speakers is not None:
            overrides["speakers"] = [{"name": s} if isinstance(s, str) else s for s in speakers]
        talk = Talk.submit(talk_id, conference_id, make_details(**overrides))
        if status == "accepted":
            talk.accept()
        elif status == "rejected":
            talk.reject("not this year")
        elif status == "withdrawn":
            talk.withdraw()
        else:
            assert status == "submitted", status
        talk.pull_events()
        return talk

    return make


@pytest.fixture
def make_ratings() -> MakeRatings:
    def make(
        talk_id: str = TALK_ID, *, version: int = 0, count: int = 0, total: int = 0
    ) -> TalkRatings:
        return TalkRatings(talk_id, version, count=count, total=total)

    return make


@pytest.fixture
def refused() -> Refused:
    """``with refused(aggregate, ErrorClass, *fields): command()``.

    Asserts that the command raises exactly ``ErrorClass`` (not a subclass), that an
    ``InvalidInput`` names exactly ``fields`` in order, and that the aggregate recorded no
    event and kept its state and version.
    """

    @contextmanager
    def check(
        aggregate: Stored, error: type[DomainError], *fields: str
    ) -> Iterator[pytest.ExceptionInfo[DomainError]]:
        before = (copy.deepcopy(aggregate.to_state()), aggregate.version)
        with pytest.raises(error) as info:
            yield info
        assert type(info.value) is error
        if isinstance(info.value, InvalidInput):  # exactly when ``error`` is one, as asserted
            assert [e.field for e in info.value.errors] == list(fields)
        else:
            assert not fields, "only InvalidInput names fields"
        assert (aggregate.to_state(), aggregate.version) == before
        assert aggregate.pull_events() == []

    return check


@pytest.fixture
def invalid_fields() -> InvalidFields:
    """``with invalid_fields("a", "b.0"): parse(...)``: exactly InvalidInput naming those."""

    @contextmanager
    def check(*fields: str) -> Iterator[None]:
        with pytest.raises(InvalidInput) as info:
            yield
        assert type(info.value) is InvalidInput
        assert [e.field for e in info.value.errors] == list(fields)

    return check


@pytest.fixture
def recorded() -> Recorded:
    """Pull the aggregate's events, assert it is exactly one of ``cls`` with ``version``
    and ``data``, and that the aggregate's version is now ``version``."""

    def check(
        aggregate: Aggregate, cls: type[DomainEvent], version: int, data: dict[str, Any]
    ) -> DomainEvent:
        events = aggregate.pull_events()
        assert [type(e) for e in events] == [cls]
        (event,) = events
        assert event.aggregate_id == aggregate.id
        assert event.aggregate_version == version
        assert aggregate.version == version
        assert event.data() == data
        assert aggregate.pull_events() == []
        return event

    return check


EventsByClass = dict[type[DomainEvent], DomainEvent]


@pytest.fixture
def events_by_class(conference_input: dict[str, Any], make_details: MakeDetails) -> EventsByClass:
    """One real event of every class, produced by the aggregates' own commands."""
    conference = Conference.create("conf-1", **typed(**conference_input))
    conference.rename("Renamed")
    conference.add_stage("Hall B")
    conference.remove_stage("Hall B")

    talk = Talk.submit(
        "talk-1", "conf-1", make_details(speakers=[{"name": "Ada"}, {"name": "Bo", "company": "X"}])
    )
    talk.edit(talk.details.revise({"title": "Edited"}), scheduled=False)
    talk.accept()
    talk.withdraw()
    rejected = Talk.submit("talk-2", "conf-1", make_details())
    rejected.reject("Off topic")

    accepted = Talk.submit("talk-3", "conf-1", make_details())
    accepted.accept()
    conference.schedule(
        accepted,
        stage="Main",
        starts_at=moment("2026-06-01T10:00:00Z"),
        speakers_of=speakers_of([]),
    )
    conference.unschedule("talk-3", reason="withdrawn")

    ratings = TalkRatings.start("talk-3")
    ratings.rate(accepted, "ada", 4, None)
    ratings.remove("ada", 4)

    events = [
        *conference.pull_events(),
        *talk.pull_events(),
        *rejected.pull_events(),
        *ratings.pull_events(),
    ]
    return {type(event): event for event in events}
