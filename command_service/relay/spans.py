"""The relay's PRODUCER span of one published message, a child of the command's span.

The command's server span context rides in the envelope (``traceparent``); the span made
here continues it, and its own context goes into the AMQP headers, so the projector that
applies the message continues the same trace: command → publish → apply. Only called when
tracing is on (the envelope is parsed again for it; off, nothing is).
"""

from __future__ import annotations

import json

from opentelemetry import trace

from command_service.relay.messages import OutboxMessage
from service_conventions.telemetry import tracing


def envelope_traceparent(message: OutboxMessage) -> object:
    """The ``traceparent`` the write side recorded in the envelope, if any."""
    try:
        envelope = json.loads(message.envelope)
    except ValueError:
        return None
    return envelope.get(tracing.TRACEPARENT) if isinstance(envelope, dict) else None


def publish_span(message: OutboxMessage, exchange: str) -> trace.Span:
    """A started span for publishing ``message``; the caller ends it once it is sent."""
    return tracing.tracer().start_span(
        f"{exchange} publish",
        context=tracing.context_from(envelope_traceparent(message)),
        kind=trace.SpanKind.PRODUCER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "send",
            "messaging.destination.name": exchange,
            "messaging.rabbitmq.destination.routing_key": message.routing_key,
            "messaging.message.id": message.event_id,
            "conference.outbox.position": message.position,
        },
    )
