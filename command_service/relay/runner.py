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
from collections.abc import Generator
from contextlib import ExitStack
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from command_service.adapters.engine import create_engine_for
from command_service.relay.backlog import refresh_backlog_gauges
from command_service.relay.confirms import BatchResult
from command_service.relay.outbox_claims import Claim, claimed_batch, claims_lock_rows
from command_service.relay.publisher import BrokerUnavailable, ConfirmingPublisher
from command_service.relay.throughput import ThroughputLog
from command_service.relay.wakeup import Wakeup, wakeup_for
from command_service.settings import RELAY_BATCH_SIZE, Settings
from service_conventions.metrics.catalog import RELAY_NACKED, RELAY_PUBLISHED, RELAY_RETURNED
from service_conventions.metrics.serving import serve_metrics
from service_conventions.retry import Backoff
from service_conventions.role_health import RoleHealth
from shared_domain.messaging import EXCHANGE

log = logging.getLogger("command_service.relay")


@dataclass(frozen=True)
class RoundReport:
    """What one claim, publish and mark round did."""

    claimed: int
    published: int
    failed: int
    """Returned as unroutable or nacked by the broker: left unpublished."""
    lost: int
    """Fate unknown (the connection went): left unpublished, sent again later."""
    returned: int = 0
    """Of ``failed``, how many the broker returned as unroutable (the rest it nacked)."""
    reasons: set[str] = field(default_factory=set)


class _Released(Exception):
    """Ends a claim without marking anything: its transaction rolls back."""


class _OpenClaim:
    """A claimed batch whose transaction stays open until it is finished or released."""

    def __init__(self, engine: sa.Engine, limit: int) -> None:
        self._stack = ExitStack()
        self.claim: Claim = self._stack.enter_context(claimed_batch(engine, limit))
        self.full = len(self.claim.messages) >= limit

    def finish(self, result: BatchResult) -> RoundReport:
        """Mark what the broker confirmed and commit."""
        try:
            published = self.claim.mark_published(result.confirmed)
        except BaseException as error:
            self._stack.__exit__(type(error), error, error.__traceback__)
            raise
        self._stack.close()
        return RoundReport(
            claimed=len(self.claim.messages),
            published=published,
            failed=len(result.failed),
            lost=len(result.unconfirmed),
            returned=result.returned,
            reasons=result.returned_reasons,
        )

    def release(self) -> None:
        self._stack.__exit__(_Released, _Released(), None)


def relay_rounds(
    engine: sa.Engine, publisher: ConfirmingPublisher, batch_size: int = RELAY_BATCH_SIZE
) -> Generator[RoundReport, None, None]:
    """Rounds of claim, publish and mark, until one comes back short (nothing more to take)
    or not fully confirmed (the caller decides how to wait before trying again).

    Where claims lock their rows (PostgreSQL), rounds overlap: the next batch is claimed
    while the broker confirms the current one, and the current one is marked and committed
    while the next one is being published. A batch is still published only after the one
    before it was fully confirmed, so the exchange sees the outbox order, as without the
    overlap; a batch that is not is released unpublished. Claiming and marking are over a
    third of a round's time; overlapped, they run beside publishing instead of adding to it.
    """
    overlap = claims_lock_rows(engine)
    first = _OpenClaim(engine, batch_size)
    in_flight = publisher.start(first.claim.messages)  # never raises: failures are results
    current: _OpenClaim | None = first
    upcoming: _OpenClaim | None = None
    try:
        while current is not None:
            upcoming = _OpenClaim(engine, batch_size) if overlap and current.full else None
            result = in_flight.wait()
            go_on = current.full and not result.failed and not result.unconfirmed
            if upcoming is not None and not (go_on and upcoming.claim.messages):
                upcoming.release()
                upcoming = None
            if upcoming is not None:
                in_flight = publisher.start(upcoming.claim.messages)
            done, current = current, None
            try:
                yield done.finish(result)
            except GeneratorExit:  # the caller stops: settle the batch in flight first
                if upcoming is not None:
                    flying, upcoming = upcoming, None
                    flying.finish(in_flight.wait())
                raise
            if upcoming is None and go_on:  # no overlap: the next round starts now
                upcoming = _OpenClaim(engine, batch_size)
                in_flight = publisher.start(upcoming.claim.messages)
            current, upcoming = upcoming, None
    finally:
        for claim in (current, upcoming):
            if claim is not None:
                claim.release()


def count_round(report: RoundReport) -> None:
    """The round's confirms, returns and nacks, on the relay's counters."""
    RELAY_PUBLISHED.inc(report.published)
    if report.failed:
        RELAY_RETURNED.inc(report.returned)
        RELAY_NACKED.inc(report.failed - report.returned)


def publish_pending(
    engine: sa.Engine, publisher: ConfirmingPublisher, *, batch_size: int = RELAY_BATCH_SIZE
) -> int:
    """Publish what is unpublished now, batch after batch; return how many rows were marked.

    Stops when a round comes back short (nothing more to take) or with rows that did not
    make it (returned, nacked, lost): the caller decides how to wait before trying again.
    """
    return sum(report.published for report in relay_rounds(engine, publisher, batch_size))


def run_relay(
    settings: Settings,
    stop_event: threading.Event,
    *,
    exchange: str = EXCHANGE,
    connection_name: str | None = None,
    metrics_port: int = 0,
) -> None:
    """Relay the outbox to the broker until ``stop_event`` is set (the ``relay`` role).

    Reads ``DATABASE_URL``, ``BROKER_URL`` and ``RELAY_BATCH_SIZE`` through ``settings``.
    Survives broker and database outages: it backs off exponentially and reconnects.
    ``metrics_port`` (0: none) serves ``/metrics`` and ``/health/*``; ready means connected
    to the broker, with the last round through the database.
    """
    engine = create_engine_for(settings.database_url, pool_size=2, max_overflow=2)
    health = RoleHealth()
    server = serve_metrics(
        metrics_port,
        readiness=lambda: health.problem,
        refresh=lambda: refresh_backlog_gauges(engine),
    )
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
                    health.ready()
                    reconnect.reset()
                    _relay_while_connected(
                        engine, publisher, wakeup, stop_event, settings.relay_batch_size, progress
                    )
                continue
            except BrokerUnavailable as error:
                problem = f"broker: {error}"
            except SQLAlchemyError as error:
                problem = f"database: {type(error).__name__}: {error}".splitlines()[0]
            health.not_ready(problem)
            if stop_event.is_set():
                break
            delay = reconnect.next_delay()
            log.warning("relay paused (%s); retrying in %.1fs", problem, delay)
            stop_event.wait(delay)
    finally:
        if server is not None:
            server.close()
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
        drained = False
        for report in relay_rounds(engine, publisher, batch_size):
            progress.add(report.published)
            count_round(report)
            if report.lost or not publisher.is_open:
                raise BrokerUnavailable(
                    f"the connection was lost; {report.lost} events of the batch in flight "
                    "stay unpublished and will be sent again"
                )
            if report.failed:
                delay = refused.next_delay()
                log.warning(
                    "the broker did not take %d events (%s); they stay unpublished, retry in %.1fs",
                    report.failed,
                    "; ".join(sorted(report.reasons)) or "nacked",
                    delay,
                )
                stop_event.wait(delay)
                break
            refused.reset()
            drained = report.claimed < batch_size
            if stop_event.is_set():
                break
        if drained:
            wakeup.wait()
