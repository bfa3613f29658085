"""The CloudEvents 1.0 JSON envelope that carries every domain event over the wire.

``to_envelope`` is used by the write side when it records an event in the outbox;
``from_envelope`` by every consumer. It reads an older version as the newest (through
``shared_domain.upcasting``). A consumer that meets a type it does not know, or a version
newer than it knows, gets ``UnknownEventType`` and decides what to do (skip or
dead-letter); it never guesses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from shared_domain.events import EVENT_TYPES, DomainEvent, JsonDict, JsonObject
from shared_domain.upcasting import STEPS, newer_than_known, upcast

SPEC_VERSION = "1.0"
SOURCE = "/conference-program/command-service"
DATA_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class TraceContext:
    """Why an event happened: the request it belongs to, the command that caused it, and
    who ran it (``actor``, the caller's token subject)."""

    correlation_id: str
    causation_id: str
    traceparent: str | None = None
    actor: str | None = None


class MalformedEnvelope(ValueError):
    """The message is not a CloudEvent of ours: missing attributes or data of the wrong shape."""


class UnknownEventType(ValueError):
    """A type (or a version of it) this code does not know."""


def to_envelope(event: DomainEvent, trace: TraceContext) -> JsonDict:
    envelope: JsonDict = {
        "specversion": SPEC_VERSION,
        "id": event.event_id,
        "source": SOURCE,
        "type": event.event_type(),
        "subject": event.aggregate_id,
        "time": event.occurred_at,
        "datacontenttype": DATA_CONTENT_TYPE,
        "data": event.data(),
        "aggregatetype": event.aggregate_type,
        "aggregateid": event.aggregate_id,
        "aggregateversion": event.aggregate_version,
        "correlationid": trace.correlation_id,
        "causationid": trace.causation_id,
    }
    if trace.traceparent:
        envelope["traceparent"] = trace.traceparent
    if trace.actor:
        envelope["actor"] = trace.actor  # a CloudEvents extension; older envelopes lack it
    return envelope


def from_envelope(envelope: JsonObject) -> DomainEvent:
    """Rebuild the domain event; raises ``UnknownEventType`` or ``MalformedEnvelope``."""
    if not isinstance(envelope, Mapping):
        raise MalformedEnvelope("the message is not a JSON object")
    event_type = envelope.get("type")
    if not isinstance(event_type, str):
        raise MalformedEnvelope("the envelope has no 'type'")
    if event_type not in EVENT_TYPES and event_type not in STEPS:
        known = newer_than_known(event_type)
        if known is not None:
            raise UnknownEventType(
                f"{event_type!r} is newer than this consumer knows (v{known}): "
                "upgrade it, then replay"
            )
        raise UnknownEventType(f"unknown event type {event_type!r}")
    data = envelope.get("data")
    if not isinstance(data, Mapping):
        raise MalformedEnvelope(f"{event_type}: 'data' is not an object")
    event_type, data = upcast(event_type, data)
    cls = EVENT_TYPES[event_type]
    try:
        aggregate_id = envelope["aggregateid"]
        version = envelope["aggregateversion"]
        event_id = envelope["id"]
        occurred_at = envelope["time"]
    except KeyError as missing:
        raise MalformedEnvelope(f"{event_type}: the envelope has no {missing}") from None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise MalformedEnvelope(f"{event_type}: 'aggregateversion' is not a positive integer")
    own = {f.name for f in dataclasses.fields(cls)} - {
        "aggregate_id",
        "aggregate_version",
        "event_id",
        "occurred_at",
    }
    try:
        return cls(
            aggregate_id=str(aggregate_id),
            aggregate_version=version,
            event_id=str(event_id),
            occurred_at=str(occurred_at),
            **{name: data[name] for name in own if name in data},
        )
    except TypeError as error:
        raise MalformedEnvelope(f"{event_type}: {error}") from None
