"""Decoding an envelope with orjson (ADR 083): what was JSON still decodes to the same
event; what is not strict JSON, including the NaN and Infinity that the standard library
accepted, is dead-lettered as malformed instead of reaching a projection."""

from __future__ import annotations

import json

import pytest

from query_service.consumers.source import SourceRecord
from query_service.projector.decoding import Verdict, decode
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import ConferenceRenamed

EVENT = ConferenceRenamed(aggregate_id="c-1", aggregate_version=2, name="DevConf ✓")


def test_an_envelope_decodes_to_its_event() -> None:
    envelope = json.dumps(to_envelope(EVENT, TraceContext("corr", "cause")), ensure_ascii=False)

    decoded = decode(SourceRecord(7, envelope))

    assert decoded.verdict is Verdict.PROJECT
    assert decoded.event == EVENT
    assert (decoded.stream, decoded.version) == ("conference/c-1", 2)


@pytest.mark.parametrize(
    "envelope",
    ["", "{", "not json", '{"id": NaN}', '{"id": Infinity}', '{"id": 1} trailing'],
)
def test_what_is_not_strict_json_is_dead_lettered_as_malformed(envelope: str) -> None:
    decoded = decode(SourceRecord(1, envelope))

    assert (decoded.verdict, decoded.reason) == (Verdict.DEAD_LETTER, "malformed: not JSON")
    assert decoded.event is None
