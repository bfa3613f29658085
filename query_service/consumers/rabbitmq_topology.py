"""The projector's queues on RabbitMQ, declared by the consumer on every (re)connect.

- ``<queue>``: a durable **quorum** queue (replicated, survives a node loss) bound to the
  events exchange with ``conference.#``. ``x-delivery-limit`` is explicit because RabbitMQ
  3.10 has none: a message that kills the projector again and again (so it is never acked
  nor parked) is dead-lettered by the broker after that many deliveries.
- ``<queue>.dlx``: a fanout dead-letter exchange; ``<queue>.dead``: the durable quorum
  dead-letter queue behind it. The broker routes there on the delivery limit; the projector
  publishes there itself, with the reason in headers, for everything it parks.
- ``<queue>.held``: the durable quorum queue where events beyond a version gap wait for
  their predecessor (ADR 061). Its ``x-message-ttl`` (``held_seconds``) sends each one
  back to ``<queue>`` by the broker's own dead-lettering (default exchange, routing key
  ``<queue>``), so a held event is tried again every ``held_seconds`` until it applies:
  nobody has to replay it.
- ``x-dead-letter-strategy: at-least-once`` (3.10+) keeps a broker-dead-lettered message in
  the source queue until the dead-letter queue confirmed it; it needs ``x-overflow:
  reject-publish``, which is inert here because the queue has no length limit.

Declaring is idempotent; a queue that exists with other arguments makes the broker refuse
(PRECONDITION_FAILED), which is logged and retried rather than silently consuming from a
queue with a different contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared_domain.messaging import ALL_EVENTS, EXCHANGE


@dataclass(frozen=True)
class ProjectorTopology:
    queue: str = "conference.projector"
    exchange: str = EXCHANGE
    binding: str = ALL_EVENTS
    delivery_limit: int = 20
    held_seconds: float = 5.0

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.queue}.dlx"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dead"

    @property
    def held_queue(self) -> str:
        return f"{self.queue}.held"

    def held_queue_arguments(self) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-message-ttl": round(self.held_seconds * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": self.queue,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def queue_arguments(self) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def declare(self, channel: Any) -> None:
        """Exchange, dead-letter exchange and queue, main and held queues, their bindings."""
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.exchange_declare(self.dead_letter_exchange, exchange_type="fanout", durable=True)
        channel.queue_declare(
            self.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        channel.queue_bind(self.dead_letter_queue, self.dead_letter_exchange)
        channel.queue_declare(self.queue, durable=True, arguments=self.queue_arguments())
        channel.queue_bind(self.queue, self.exchange, self.binding)
        channel.queue_declare(self.held_queue, durable=True, arguments=self.held_queue_arguments())

    def delete(self, channel: Any) -> None:
        """Remove the queues and the dead-letter exchange (tests; never the events exchange)."""
        channel.queue_delete(self.queue)
        channel.queue_delete(self.dead_letter_queue)
        channel.queue_delete(self.held_queue)
        channel.exchange_delete(self.dead_letter_exchange)
