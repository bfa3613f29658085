"""Settling the deliveries of a written batch, on the consumer's thread (ADR 061).

For each delivery ``settle`` decides (``settlement.py``); ``BrokerSettlement`` carries the
decision out on the broker: ack the done ones together, keep the ones to retry until they
are due, hold an event beyond a gap in the held queue, park poison in the dead-letter
queue. It also keeps what those decisions need between batches: the deliveries waiting
for a retry, the streams this replica held (``held_streams.py``) and the health clock.
Only the consumer's thread touches it (pika connections are not thread-safe).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence

from query_service.consumers.rabbitmq import Delivery, RabbitMqConsumer
from query_service.projections.errors import EventNotYetApplicable
from query_service.projector.batch import ItemOutcome, Outcome
from query_service.projector.broker_writer import Pending, Settled
from query_service.projector.decoding import Decoded
from query_service.projector.health_clock import HealthClock
from query_service.projector.held_streams import HeldStreams, InHand
from query_service.projector.settlement import (
    Action,
    Around,
    Decision,
    SettlementPolicy,
    settle,
)
from query_service.projector.stats import ProjectorStats
from service_conventions.logs import about_event

log = logging.getLogger(__name__)


class BrokerSettlement:
    def __init__(self, consumer: RabbitMqConsumer, policy: SettlementPolicy) -> None:
        self._consumer = consumer
        self.policy = policy
        self.clock = HealthClock()
        self._waiting: list[Pending] = []
        self._held = HeldStreams()
        self.stats = ProjectorStats()

    def settle(
        self, settled: Sequence[Settled], elsewhere: Callable[[], Iterable[Pending]]
    ) -> None:
        """Carry out the decision for each delivery; ``elsewhere`` are the other unsettled
        deliveries of this replica (asked only when an event meets a gap)."""
        done: list[Delivery] = []
        in_hand: InHand | None = None
        window_full = False
        for pending, item, outcome in settled:
            if in_hand is None and isinstance(outcome.error, EventNotYetApplicable):
                in_hand = InHand(p.item for p in [*self._waiting, *elsewhere()])
                in_hand.add(p.item for p, _, _ in settled)
                window_full = self._window_stays_full(settled)
            around = self._around(pending, outcome, in_hand, window_full)
            decision, pending.attempts = settle(outcome, pending.attempts, around, self.policy)
            if decision.action is Action.ACK:
                done.append(pending.delivery)
                self._count(outcome, item)
            elif decision.action is Action.RETRY:
                self._retry_later(pending, item, decision)
            elif decision.action is Action.HOLD:
                self._hold(pending, item, outcome, decision.reason)
            else:
                self._park(pending, item, decision.reason, outcome.error)
        self._consumer.ack(done)

    def due(self, now: float) -> list[Pending]:
        """The waiting deliveries whose retry is due, taken out of waiting."""
        due = [p for p in self._waiting if p.due <= now]
        self._waiting = [p for p in self._waiting if p.due > now]
        return due

    def idle_wait(self, now: float, idle_timeout: float) -> float:
        """How long to wait for new deliveries before a waiting one is due."""
        if not self._waiting:
            return idle_timeout
        return max(0.0, min(idle_timeout, min(p.due for p in self._waiting) - now))

    def forget(self) -> None:
        """The channel closed: every unacked delivery went back to the queue."""
        self._waiting = []

    def _window_stays_full(self, settled: Sequence[Settled]) -> bool:
        """Whether the prefetch window is still full once this batch's settled ones (acked
        or parked) are gone: then the broker sends this replica nothing more."""
        freeing = sum(1 for _, _, outcome in settled if outcome.kind is not Outcome.FAILED)
        return self._consumer.unsettled - freeing >= self._consumer.prefetch

    def _around(
        self, pending: Pending, outcome: ItemOutcome, in_hand: InHand | None, window_full: bool
    ) -> Around:
        gap = outcome.error
        if not isinstance(gap, EventNotYetApplicable) or in_hand is None:
            return Around(now=self.clock.now())
        return Around(
            now=self.clock.now(),
            earlier_in_hand=in_hand.between(gap.stream, gap.applied, gap.received),
            stream_held=self._held.holds_back(gap),
            came_back_held=pending.delivery.was_held,
            window_full=window_full,
        )

    def _count(self, outcome: ItemOutcome, item: Decoded) -> None:
        self.stats.count(outcome.kind)
        if outcome.kind is Outcome.APPLIED:
            self._held.applied(item)
        elif outcome.kind is Outcome.SKIPPED:
            log.warning(
                "skipping event %s: %s",
                item.event_id,
                outcome.reason,
                extra=about_event(item.event_id, item.stream),
            )

    def _retry_later(self, pending: Pending, item: Decoded, decision: Decision) -> None:
        self.stats.retried()
        log.debug(
            "event %s v%s of %s: retrying in %.2fs",
            item.event_id,
            item.version,
            item.stream,
            decision.delay,
            extra=about_event(item.event_id, item.stream),
        )
        pending.due = time.monotonic() + decision.delay
        self._waiting.append(pending)

    def _hold(self, pending: Pending, item: Decoded, outcome: ItemOutcome, reason: str) -> None:
        self._consumer.hold(pending.delivery, reason)
        self.stats.held_back()
        gap = outcome.error
        self._held.remember(item, gap.applied if isinstance(gap, EventNotYetApplicable) else 0)
        log.info(
            "held event %s of %s: %s",
            item.event_id,
            item.stream,
            reason,
            extra=about_event(item.event_id, item.stream),
        )

    def _park(
        self, pending: Pending, item: Decoded, reason: str, error: Exception | None = None
    ) -> None:
        self._consumer.dead_letter(
            pending.delivery,
            reason,
            exception=type(error).__name__ if error else "",
            attempts=max(pending.attempts.failures, 1),
        )
        self.stats.parked()
        self._held.remember(item, (item.version or 1) - 1)
        log.error(
            "dead-lettered event %s (%s) of %s: %s",
            item.event_id,
            item.event_type,
            item.stream,
            reason,
            extra=about_event(item.event_id, item.stream),
        )
