"""The relay loop: claim a batch of outbox rows, publish it with confirms, mark what landed.

A row is marked published only after the broker confirmed it, in the same transaction that
claimed it (PostgreSQL). Whatever goes wrong in between (the broker drops the connection,
returns a message nobody can route, the relay crashes) leaves the row unpublished, and a
later round sends it again: at-least-once, never lost. Consumers deduplicate by event id and
aggregate version (ADR 040).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from command_service.adapters.engine import create_engine_for
from command_service.relay.backoff import Backoff
from command_service.relay.outbox_claims import claimed_batch
from command_service.relay.publisher import BrokerUnavailable, ConfirmingPublisher
from command_service.relay.throughput import ThroughputLog
from command_service.relay.wakeup import Wakeup, wakeup_for
from command_service.settings import Settings
from shared_domain.messaging import EXCHANGE

log = logging.getLogger("command_service.relay")

BATCH_SIZE = 2000


@dataclass(frozen=True)
class RoundOutcome:
    """What one claim, publish and mark round did."""

    claimed: int
    published: int
    failed: int
    """Returned as unroutable or nacked by the broker: left unpublished."""
    lost: int
    """Fate unknown (the connection went): left unpublished, sent again later."""
    reasons: set[str] = field(default_factory=set)


def relay_batch(
    engine: sa.Engine, publisher: ConfirmingPublisher, batch_size: int = BATCH_SIZE
) -> RoundOutcome:
    """Claim up to ``batch_size`` unpublished rows, publish them, mark the confirmed ones."""
    with claimed_batch(engine, batch_size) as claim:
        result = publisher.publish(claim.messages)
        published = claim.mark_published(result.confirmed)
    return RoundOutcome(
        claimed=len(claim.messages),
        published=published,
        failed=len(result.failed),
        lost=len(result.unconfirmed),
        reasons=result.returned_reasons,
    )


def publish_pending(
    engine: sa.Engine, publisher: ConfirmingPublisher, *, batch_size: int = BATCH_SIZE
) -> int:
    """Publish what is unpublished now, batch after batch; return how many rows were marked.

    Stops when a round comes back short (nothing more to take) or with rows that did not
    make it (returned, nacked, lost): the caller decides how to wait before trying again.
    """
    total = 0
    while True:
        outcome = relay_batch(engine, publisher, batch_size)
        total += outcome.published
        if outcome.claimed < batch_size or outcome.failed or outcome.lost:
            return total


def run_relay(
    settings: Settings,
    stop_event: threading.Event,
    *,
    exchange: str = EXCHANGE,
    connection_name: str | None = None,
) -> None:
    """Relay the outbox to the broker until ``stop_event`` is set (the ``relay`` role).

    Reads ``DATABASE_URL``, ``BROKER_URL`` and ``RELAY_BATCH_SIZE`` through ``settings``.
    Survives broker and database outages: it backs off exponentially and reconnects.
    """
    engine = create_engine_for(settings.database_url, pool_size=2, max_overflow=2)
    wakeup = wakeup_for(settings.database_url, stop_event)
    progress = ThroughputLog(log)
    reconnect = Backoff()
    name = connection_name or f"conference-relay {socket.gethostname()} pid {os.getpid()}"
    log.info(
        "relay started: outbox → exchange %r (batches of %d)", exchange, settings.relay_batch_size
    )
    try:
        while not stop_event.is_set():
            try:
                with ConfirmingPublisher.connect(
                    settings.broker_url, exchange, connection_name=name, stop_event=stop_event
                ) as publisher:
                    log.info("connected to the broker as %r", name)
                    reconnect.reset()
                    _relay_while_connected(
                        engine, publisher, wakeup, stop_event, settings.relay_batch_size, progress
                    )
                continue
            except BrokerUnavailable as error:
                problem = f"broker: {error}"
            except SQLAlchemyError as error:
                problem = f"database: {type(error).__name__}: {error}".splitlines()[0]
            if stop_event.is_set():
                break
            delay = reconnect.next_delay()
            log.warning("relay paused (%s); retrying in %.1fs", problem, delay)
            stop_event.wait(delay)
    finally:
        wakeup.close()
        engine.dispose()
        log.info("relay stopped; it published %d events", progress.total)


def _relay_while_connected(
    engine: sa.Engine,
    publisher: ConfirmingPublisher,
    wakeup: Wakeup,
    stop_event: threading.Event,
    batch_size: int,
    progress: ThroughputLog,
) -> None:
    refused = Backoff(initial=0.5, maximum=30.0)
    while not stop_event.is_set():
        outcome = relay_batch(engine, publisher, batch_size)
        progress.add(outcome.published)
        if outcome.lost or not publisher.is_open:
            raise BrokerUnavailable(
                f"the connection was lost; {outcome.lost} events of the batch in flight stay "
                "unpublished and will be sent again"
            )
        if outcome.failed:
            delay = refused.next_delay()
            log.warning(
                "the broker did not take %d events (%s); they stay unpublished, retry in %.1fs",
                outcome.failed,
                "; ".join(sorted(outcome.reasons)) or "nacked",
                delay,
            )
            stop_event.wait(delay)
            continue
        refused.reset()
        if outcome.claimed < batch_size:
            wakeup.wait()
