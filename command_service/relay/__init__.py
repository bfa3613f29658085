"""The outbox relay: publishes committed outbox rows to RabbitMQ, at least once (ADR 040).

Entry points: ``run_relay(settings, stop_event)`` (the ``conference relay`` role) and
``publish_pending(engine, publisher)`` (one drain of the outbox, for tests and benchmarks).
"""

from command_service.relay.outbox_claims import claimed_batch
from command_service.relay.publisher import BrokerUnavailable, ConfirmingPublisher
from command_service.relay.runner import publish_pending, relay_rounds, run_relay

__all__ = [
    "BrokerUnavailable",
    "ConfirmingPublisher",
    "claimed_batch",
    "publish_pending",
    "relay_rounds",
    "run_relay",
]
