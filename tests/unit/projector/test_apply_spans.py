"""With tracing on, each event a batch settles gets a CONSUMER span that continues the
transport's trace (the relay's publish span) or else the envelope's (the command's)."""

from __future__ import annotations

import json

from opentelemetry.trace import SpanKind, StatusCode

from query_service.consumers.source import SourceRecord
from query_service.projector.decoding import decode
from query_service.projector.fences import TailCheckpoint
from shared_domain.envelope import TraceContext, to_envelope
from tests.spans import parent_of, recorded_spans
from tests.unit.projector.test_core import MemoryStore, created, items, run

COMMAND = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
PUBLISH = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def traced_record(position: int, conference: str, header: str | None = None) -> SourceRecord:
    envelope = to_envelope(created(conference), TraceContext("corr", "cause", traceparent=COMMAND))
    return SourceRecord(position, json.dumps(envelope), header)


def test_each_settled_event_continues_the_transports_trace_else_the_envelopes() -> None:
    from_broker = decode(traced_record(1, "c1", header=PUBLISH))
    from_outbox = decode(traced_record(2, "c2"))
    untraced = items(created("c3"))[0]
    with recorded_spans() as spans:
        run(MemoryStore(), [from_broker, from_outbox, untraced], TailCheckpoint("tail", 0))
    broker, outbox, alone = spans.get_finished_spans()
    assert all(span.kind is SpanKind.CONSUMER for span in (broker, outbox, alone))
    assert broker.name == "apply conference.conference.created.v1"
    assert parent_of(broker) == (TRACE_ID, "b7ad6b7169203331")
    assert parent_of(outbox) == (TRACE_ID, "00f067aa0ba902b7")
    assert parent_of(alone) is None
    assert broker.attributes is not None
    assert broker.attributes["conference.projector.outcome"] == "applied"
    assert broker.attributes["messaging.message.id"] == from_broker.event_id
    assert (broker.start_time, broker.end_time) == (alone.start_time, alone.end_time)


def test_a_failed_event_is_an_error_span_and_one_not_written_has_none() -> None:
    def refuse(batch: object) -> Exception | None:
        conferences = getattr(batch, "conferences", [])
        return ValueError("no") if any(c.id == "bad" for c in conferences) else None

    batch = [decode(traced_record(1, "c1")), decode(traced_record(2, "bad"))]
    batch += [decode(traced_record(3, "c3"))]
    with recorded_spans() as spans:
        run(MemoryStore(refuse=refuse), batch, TailCheckpoint("tail", 0), stop_at_failure=True)
    applied, failed = spans.get_finished_spans()  # the third was never reached: retried later
    assert applied.status.status_code is StatusCode.UNSET
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes is not None
    assert failed.attributes["conference.projector.outcome"] == "failed"
