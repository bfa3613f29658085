"""JSON Schemas of every event type and version, derived from the dataclasses themselves.

The schema of ``data`` comes from each class's fields through pydantic (the types the
write side already declares), so it cannot drift from what ``to_envelope`` writes. Its
fingerprint (SHA-256 of the canonical JSON) is what makes a published version immutable:
``files.check`` refuses a version whose fingerprint changed (ADR 082).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing

from pydantic import TypeAdapter

from shared_domain.envelope import DATA_CONTENT_TYPE, SOURCE, SPEC_VERSION
from shared_domain.events import EVENT_CLASSES, DomainEvent, JsonDict
from shared_domain.upcasting import PAST_EVENT_CLASSES

PUBLISHED: tuple[type[DomainEvent], ...] = tuple(
    sorted((*EVENT_CLASSES, *PAST_EVENT_CLASSES), key=lambda cls: cls.event_type())
)
"""Every version a consumer may meet: the current ones and those still upcast."""

_ENVELOPE_FIELDS = {f.name for f in dataclasses.fields(DomainEvent)}


def data_schema(cls: type[DomainEvent]) -> JsonDict:
    """The ``data`` object: the event's own fields, all required (writers always send
    them); more are tolerated, since readers ignore what they do not know."""
    hints = typing.get_type_hints(cls)
    own = [f for f in dataclasses.fields(cls) if f.name not in _ENVELOPE_FIELDS]
    return {
        "type": "object",
        "properties": {f.name: TypeAdapter(hints[f.name]).json_schema() for f in own},
        "required": [f.name for f in own],
        "additionalProperties": True,
    }


def fingerprint(cls: type[DomainEvent]) -> str:
    canonical = json.dumps(data_schema(cls), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


_OPTIONAL_ATTRIBUTES = ("traceparent", "actor")
"""Sent when known (tracing on, a caller with a token); older envelopes lack ``actor``."""


def _constant(value: object) -> JsonDict:
    return {"const": value}


def envelope_schema(cls: type[DomainEvent]) -> JsonDict:
    """The whole CloudEvents 1.0 message of one type and version, as a JSON Schema."""
    text: JsonDict = {"type": "string", "minLength": 1}
    attributes: JsonDict = {
        "specversion": _constant(SPEC_VERSION),
        "id": {**text, "format": "uuid"},
        "source": _constant(SOURCE),
        "type": _constant(cls.event_type()),
        "subject": text,
        "time": {**text, "format": "date-time"},
        "datacontenttype": _constant(DATA_CONTENT_TYPE),
        "data": data_schema(cls),
        "aggregatetype": _constant(cls.aggregate_type),
        "aggregateid": text,
        "aggregateversion": {"type": "integer", "minimum": 1},
        "correlationid": text,
        "causationid": text,
    }
    return {
        "title": cls.event_type(),
        "description": _description(cls),
        "type": "object",
        "properties": attributes | {name: {"type": "string"} for name in _OPTIONAL_ATTRIBUTES},
        "required": list(attributes),
        "additionalProperties": True,
    }


def schema_document(cls: type[DomainEvent]) -> JsonDict:
    """``envelope_schema`` as a standalone JSON Schema file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://conference-program.example/contracts/events/{file_name(cls)}",
        **envelope_schema(cls),
    }


def file_name(cls: type[DomainEvent]) -> str:
    return f"schemas/{cls.event_type()}.json"


def _description(cls: type[DomainEvent]) -> str:
    """The nearest docstring written for the event (dataclasses invent one from the
    signature of a class without its own), else its type in words."""
    for klass in cls.__mro__[: cls.__mro__.index(DomainEvent)]:
        doc = klass.__dict__.get("__doc__") or ""
        if doc and not doc.startswith(f"{klass.__name__}("):
            return " ".join(doc.split())
    return f"A {cls.aggregate_type} event: {cls.event_name.replace('_', ' ')}."
