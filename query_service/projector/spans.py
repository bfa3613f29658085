"""The projector's CONSUMER span of each event a batch settled, in the event's trace.

A batch is projected and written as one (one store write for up to 500 events), so every
event's span covers the same interval, the batch's; what sets them apart is the parent
each continues: the relay's publish span from the AMQP headers, or, from the outbox tail,
the command's server span from the envelope. An operator then sees the read-model write
under the command that caused it. Only called when tracing is on.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from opentelemetry import trace

from query_service.projector.batch import ItemOutcome, Outcome
from query_service.projector.decoding import Decoded
from service_conventions.telemetry import tracing


def record_apply_spans(
    items: Sequence[Decoded],
    outcomes: Sequence[ItemOutcome | None],
    started_ns: int,
    engine: str,
) -> None:
    """One span per item with an outcome (an unwritten one is retried, and traced, later)."""
    tracer = tracing.tracer()
    ended_ns = time.time_ns()
    for item, outcome in zip(items, outcomes, strict=False):
        if outcome is None:
            continue
        span = tracer.start_span(
            f"apply {item.event_type or 'event'}",
            context=tracing.context_from(item.traceparent),
            kind=trace.SpanKind.CONSUMER,
            start_time=started_ns,
            attributes={
                "messaging.operation.type": "process",
                "messaging.message.id": item.event_id or "",
                "conference.projector.outcome": outcome.kind.value,
                "conference.read_store.engine": engine,
                "conference.batch.size": len(items),
            },
        )
        if outcome.kind is Outcome.FAILED:
            span.set_status(trace.Status(trace.StatusCode.ERROR, outcome.reason))
        span.end(end_time=ended_ns)
