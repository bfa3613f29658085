"""Decoding deliveries while they wait in the consumer's buffer (the store is writing).

Parsing frames and JSON then overlaps the store's round trips instead of following them.
Only the consumer's thread uses it.
"""

from __future__ import annotations

from query_service.consumers.rabbitmq import Delivery, RabbitMqConsumer
from query_service.consumers.source import SourceRecord
from query_service.projector.decoding import Decoded, decode
from service_conventions.telemetry import tracing


class DecodeAhead:
    def __init__(self) -> None:
        self._decoded: dict[tuple[int, int], Decoded] = {}

    def read_ahead(self, consumer: RabbitMqConsumer) -> None:
        """Decode what is buffered and not decoded yet."""
        # Decoded ones are the buffer's head (fetch takes from the front): skip them. Were
        # that ever off, a delivery would merely be decoded when it is fetched.
        for delivery in consumer.buffered_deliveries(skip=len(self._decoded)):
            key = (delivery.epoch, delivery.tag)
            if key not in self._decoded:
                self._decoded[key] = decode_delivery(delivery)

    def buffered(self, consumer: RabbitMqConsumer) -> list[tuple[Delivery, Decoded]]:
        """Every buffered delivery with its decoding (which ``take`` then finds done)."""
        self.read_ahead(consumer)
        return [
            (d, self._decoded.get((d.epoch, d.tag)) or decode_delivery(d))
            for d in consumer.buffered_deliveries()
        ]

    def take(self, delivery: Delivery) -> Decoded:
        """The delivery decoded (ahead, or now)."""
        item = self._decoded.pop((delivery.epoch, delivery.tag), None)
        return item or decode_delivery(delivery)

    def forget(self) -> None:
        self._decoded = {}


def decode_delivery(delivery: Delivery) -> Decoded:
    traceparent = None
    if tracing.enabled():  # the relay's publish span, to continue
        header = (delivery.properties.headers or {}).get(tracing.TRACEPARENT)
        traceparent = header.decode() if isinstance(header, bytes) else header
    return decode(SourceRecord(delivery.tag, delivery.text, traceparent))
