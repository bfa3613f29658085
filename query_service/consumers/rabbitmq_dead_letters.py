"""The projector's dead-letter queue on RabbitMQ, as an operator sees it.

Reading never loses a message: ``basic_get`` without ack holds every message it took
(unacked) until the channel closes, when the broker puts back all that were not acked. So
listing is a browse, and replay or drop ack exactly the messages they handled, each only
after its replayed copy was confirmed by the broker.

Replay publishes to the projector's own queue through the default exchange (routing key =
queue name), not to the events exchange: only the read model that parked the event gets it
again, no other consumer of the events sees a duplicate. Our dead-letter headers are
stripped (a new failure writes new ones) and ``x-replay-count`` counts the replays.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pika

from query_service.consumers.rabbitmq import (
    DEATH_ATTEMPTS,
    DEATH_REASON,
    HELD_HEADERS,
    OWN_HEADERS,
    REPLAY_COUNT,
)
from query_service.consumers.rabbitmq_topology import ProjectorTopology

log = logging.getLogger(__name__)

_BROKER_DEATH_HEADERS = ("x-death", "x-first-death", "x-last-death", "x-delivery-count")


@dataclass(frozen=True)
class BrokerLetter:
    tag: int
    routing_key: str
    properties: Any
    body: bytes

    @property
    def letter_id(self) -> str:
        """The event id (``message_id``), or a digest of the body for a message without."""
        message_id = self.properties.message_id
        return str(message_id) if message_id else f"sha1:{hashlib.sha1(self.body).hexdigest()}"

    @property
    def headers(self) -> dict[str, Any]:
        return dict(self.properties.headers or {})

    @property
    def reason(self) -> str:
        """Ours (``x-death-reason``), else the broker's (``x-death``: e.g. delivery_limit)."""
        headers = self.headers
        if DEATH_REASON in headers:
            return _text(headers[DEATH_REASON])
        deaths = headers.get("x-death") or []
        if deaths:
            first = deaths[0]
            return f"{_text(first.get('reason'))} (by the broker, from {_text(first.get('queue'))})"
        return "unknown"

    @property
    def attempts(self) -> int:
        value = self.headers.get(DEATH_ATTEMPTS, self.headers.get("x-delivery-count", 0))
        return int(value) if isinstance(value, int) else 0


class BrokerDeadLetters:
    def __init__(self, broker_url: str, topology: ProjectorTopology) -> None:
        self._url = broker_url
        self.topology = topology

    def browse(self, limit: int | None = None) -> list[BrokerLetter]:
        """Up to ``limit`` dead letters, oldest first; all stay in the queue."""
        with self._channel() as channel:
            return list(self._take(channel, limit))

    def replay(self, wanted: Callable[[BrokerLetter], bool]) -> list[BrokerLetter]:
        """Send the wanted letters back to the projector's queue, in order; those sent."""
        return self._settle(wanted, send=True)

    def drop(self, wanted: Callable[[BrokerLetter], bool]) -> list[BrokerLetter]:
        """Remove the wanted letters for good; those removed."""
        return self._settle(wanted, send=False)

    def _settle(self, wanted: Callable[[BrokerLetter], bool], *, send: bool) -> list[BrokerLetter]:
        done: list[BrokerLetter] = []
        with self._channel() as channel:
            for letter in self._take(channel, None):
                if not wanted(letter):
                    continue
                if send:
                    channel.basic_publish(
                        "",
                        self.topology.queue,
                        letter.body,
                        properties=_replayed(letter),
                        mandatory=True,
                    )
                channel.basic_ack(letter.tag)
                done.append(letter)
        return done

    @contextmanager
    def _channel(self) -> Iterator[Any]:
        connection = pika.BlockingConnection(pika.URLParameters(self._url))
        try:
            channel = connection.channel()
            self.topology.declare(channel)
            channel.confirm_delivery()
            yield channel
        finally:
            connection.close()  # every letter taken and not acked goes back

    def _take(self, channel: Any, limit: int | None) -> Iterator[BrokerLetter]:
        taken = 0
        while limit is None or taken < limit:
            method, properties, body = channel.basic_get(
                self.topology.dead_letter_queue, auto_ack=False
            )
            if method is None:
                return
            taken += 1
            yield BrokerLetter(method.delivery_tag, method.routing_key, properties, body)


def letters_with_ids(ids: Sequence[str]) -> Callable[[BrokerLetter], bool]:
    chosen = set(ids)
    return lambda letter: letter.letter_id in chosen


def _replayed(letter: BrokerLetter) -> Any:
    original = letter.properties
    headers = {
        key: value
        for key, value in letter.headers.items()
        if key not in (*OWN_HEADERS, *HELD_HEADERS) and not key.startswith(_BROKER_DEATH_HEADERS)
    }
    count = headers.get(REPLAY_COUNT, 0)
    headers[REPLAY_COUNT] = (count if isinstance(count, int) else 0) + 1
    return pika.BasicProperties(
        content_type=original.content_type,
        delivery_mode=2,
        message_id=original.message_id,
        type=original.type,
        timestamp=original.timestamp,
        headers=headers,
    )


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
