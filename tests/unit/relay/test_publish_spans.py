"""With tracing on, each published message gets a PRODUCER span under the command's span
and carries that span in its AMQP headers; off, the headers are exactly as before."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from opentelemetry.trace import SpanKind

from command_service.relay.publisher import ConfirmingPublisher
from tests.spans import ids_of, parent_of, recorded_spans
from tests.unit.relay.fake_broker import FakeBroker
from tests.unit.relay.outbox_messages import messages

URL = "amqp://guest:guest@broker.invalid:5672/%2F"
COMMAND = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
HEADERS = {"aggregatetype", "aggregateid", "aggregateversion"}


@pytest.fixture
def broker() -> FakeBroker:
    return FakeBroker()


@pytest.fixture
def publisher(broker: FakeBroker) -> Iterator[ConfirmingPublisher]:
    publisher = ConfirmingPublisher(URL, "test.exchange", open_connection=broker)
    publisher.open(timeout=5)
    yield publisher
    publisher.close()


def test_each_message_carries_its_publish_span_a_child_of_the_commands(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    traced, untraced = messages(1, 2)
    traced = replace(traced, envelope=json.dumps({"id": "event-1", "traceparent": COMMAND}))
    with recorded_spans() as spans:
        in_flight = publisher.start([traced, untraced])
        published = broker.wait_published(2)
        broker.ack(2, multiple=True)
        assert in_flight.wait(timeout=5).confirmed == [1, 2]
    first, second = spans.get_finished_spans()
    assert first.kind is SpanKind.PRODUCER
    assert first.name == "test.exchange publish"
    assert first.attributes is not None
    assert first.attributes["messaging.message.id"] == "event-1"
    assert parent_of(first) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
    assert parent_of(second) is None  # an envelope without a trace: the span starts one
    for span, message in zip((first, second), published, strict=True):
        trace_id, span_id = ids_of(span)
        assert message.properties.headers["traceparent"].startswith(f"00-{trace_id}-{span_id}-")


def test_off_the_headers_stay_as_they_were(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    [message] = messages(1)
    in_flight = publisher.start([replace(message, envelope=json.dumps({"traceparent": COMMAND}))])
    [published] = broker.wait_published(1)
    broker.ack(1)
    in_flight.wait(timeout=5)
    assert set(published.properties.headers) == HEADERS
