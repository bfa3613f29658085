"""Upcasters: old versions of an event, read as the newest.

The retained outbox (and any broker queue) keeps what an older write side recorded, so a
consumer meets every version ever published. Rather than teach each projection every past
shape, ``upcast`` rewrites an envelope's ``type`` and ``data`` one version at a time until
it names a class of ``shared_domain.events``; ``from_envelope`` calls it, so the projector,
the rebuild and the dead-letter replay all read the newest shape and nothing else.

Each past shape stays here as a frozen dataclass, so the published contract
(``contracts/events/``) can still describe it. Adding a version: copy the current class
here under a ``V<n>`` name, change the class in ``events.py``, and register a step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shared_domain.events import (
    EVENT_TYPES,
    DomainEvent,
    JsonDict,
    JsonObject,
    TalkEdited,
    TalkSubmitted,
)
from shared_domain.values import DEFAULT_LANGUAGE

# --- Past versions -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _TalkDetailsRecordedV1(DomainEvent):
    """The details as v1 carried them: a copy on purpose, frozen while v2 moves on."""

    aggregate_type = "talk"

    title: str
    abstract: str
    speakers: list[JsonDict]
    tags: list[str]
    level: str
    format: str
    duration_minutes: int


@dataclass(frozen=True, kw_only=True)
class TalkSubmittedV1(_TalkDetailsRecordedV1):
    """A talk was submitted (v1: no language; read as v2 in English)."""

    event_name = "submitted"

    conference_id: str


@dataclass(frozen=True, kw_only=True)
class TalkEditedV1(_TalkDetailsRecordedV1):
    """A talk's details were edited (v1: no language; read as v2 in English)."""

    event_name = "edited"


PAST_EVENT_CLASSES: tuple[type[DomainEvent], ...] = (TalkSubmittedV1, TalkEditedV1)
"""Versions no longer written but still read (through ``upcast``) and still published."""

# --- Steps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One version up: ``source``'s data becomes ``target``'s."""

    source: type[DomainEvent]
    target: type[DomainEvent]
    change: Callable[[JsonObject], JsonDict]


def _with_default_language(data: JsonObject) -> JsonDict:
    """Every talk before v2 was taken to be in English: the v2 default."""
    return {**data, "language": DEFAULT_LANGUAGE}


STEPS: Mapping[str, Step] = {
    step.source.event_type(): step
    for step in (
        Step(TalkSubmittedV1, TalkSubmitted, _with_default_language),
        Step(TalkEditedV1, TalkEdited, _with_default_language),
    )
}

_VERSIONED = re.compile(r"^(?P<base>.+)\.v(?P<version>[1-9][0-9]*)$")


def upcast(event_type: str, data: JsonObject) -> tuple[str, JsonObject]:
    """The newest type and data for an envelope's ``type`` and ``data``; a type with no
    step comes back unchanged (current, or unknown: ``from_envelope`` decides)."""
    while (step := STEPS.get(event_type)) is not None:
        data = step.change(data)
        event_type = step.target.event_type()
    return event_type, data


def newer_than_known(event_type: str) -> int | None:
    """The version this code knows, when ``event_type`` is a later version of a known type
    (a newer producer ran first): the reason a consumer parks it rather than drops it."""
    match = _VERSIONED.match(event_type)
    if match is None:
        return None
    known = _KNOWN_VERSIONS.get(match["base"])
    return known if known is not None and int(match["version"]) > known else None


_KNOWN_VERSIONS: Mapping[str, int] = {
    cls.event_type().rsplit(".v", 1)[0]: cls.schema_version for cls in EVENT_TYPES.values()
}
