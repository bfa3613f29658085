"""The measurements behind ``conference status``: each asks one part of the deployment,
with a short timeout, and turns a failure into a line of the report, never an exception
(a status screen is most needed when something is away).

The stores are read directly, not through the roles, so the screen still shows the backlog
and the lag when every projector is down. Only the lag in seconds of the distributed shape
comes from a projector's metrics port: the age of the head of a queue cannot be read from
outside the consumer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pika
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import outbox
from command_service.relay.backlog import outbox_backlog
from conference_cli.status.report import (
    BrokerReport,
    OutboxReport,
    ProjectionReport,
    QueueReport,
    ReadStoreReport,
    RoleReport,
)
from query_service.bootstrap import projector_topology
from query_service.projector.lag import age_seconds
from query_service.projector.projector import DEFAULT_CONSUMER
from query_service.read_store.port import ReadStore
from query_service.settings import QuerySettings
from service_conventions.metrics.catalog import PROJECTOR_LAG_SECONDS

TIMEOUT_SECONDS = 2.0
LAG_SECONDS = next(iter(PROJECTOR_LAG_SECONDS.describe())).name


def database_problem(error: Exception) -> str:
    """The database's error, with what to do when the schema is not there yet."""
    text = str(error).lower()
    if "no such table" in text or "does not exist" in text:
        return "the command database has no schema yet: run `conference migrate`"
    return _why(error)


def _why(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def role(name: str, url: str) -> RoleReport:
    """``GET <url>/health/ready``: ready, not ready (with the role's reason), unreachable."""
    try:
        answer = httpx.get(f"{url.rstrip('/')}/health/ready", timeout=TIMEOUT_SECONDS)
    except httpx.ConnectError:
        return RoleReport(name, url, "unreachable", "nothing answers there: is the role running?")
    except httpx.HTTPError as error:
        return RoleReport(name, url, "unreachable", _why(error))
    if answer.status_code == 200:
        return RoleReport(name, url, "ready")
    detail: str | None = None
    with contextlib.suppress(ValueError, AttributeError):
        detail = answer.json().get("detail")
    return RoleReport(name, url, "not-ready", detail or f"HTTP {answer.status_code}")


def outbox_state(engine: sa.Engine, *, distributed: bool) -> OutboxReport:
    try:
        with engine.connect() as connection:
            newest = connection.execute(sa.select(sa.func.max(outbox.c.position))).scalar()
        if not distributed:
            return OutboxReport(newest_position=int(newest or 0))
        count, age = outbox_backlog(engine)
    except sa.exc.SQLAlchemyError as error:
        return OutboxReport(error=database_problem(error))
    return OutboxReport(int(newest or 0), count, round(age, 3))


def broker_state(settings: QuerySettings) -> BrokerReport:
    """A passive declare of the projector's queues: messages ready and consumers attached."""
    assert settings.broker_url is not None
    topology = projector_topology(settings)
    parameters = pika.URLParameters(settings.broker_url)
    parameters.socket_timeout = TIMEOUT_SECONDS
    parameters.blocked_connection_timeout = TIMEOUT_SECONDS
    parameters.client_properties = {"connection_name": "conference-status"}
    try:
        connection = pika.BlockingConnection(parameters)
    except pika.exceptions.AMQPError as error:
        return BrokerReport(error=_why(error) if str(error) else "the broker does not answer")
    queues: list[QueueReport] = []
    try:
        for name in (topology.queue, topology.held_queue, topology.dead_letter_queue):
            channel = connection.channel()
            try:
                frame = channel.queue_declare(name, passive=True)
            except pika.exceptions.ChannelClosedByBroker as error:
                return BrokerReport(queues, f"queue {name}: {error.reply_text}")
            queues.append(
                QueueReport(name, int(frame.method.message_count), int(frame.method.consumer_count))
            )
            channel.close()
    except pika.exceptions.AMQPError as error:
        return BrokerReport(queues, _why(error))
    finally:
        with contextlib.suppress(pika.exceptions.AMQPError):
            connection.close()
    return BrokerReport(queues)


def projection_from_outbox(
    engine: sa.Engine, store: ReadStore, now: datetime | None = None
) -> ProjectionReport:
    """The embedded shape: outbox positions past the projector's checkpoint, and the age
    of the first of them (the definitions of the projector's own gauges, ADR 071)."""
    try:
        checkpoint = store.checkpoint(DEFAULT_CONSUMER)
        dead = len(store.dead_letters())
        with engine.connect() as connection:
            newest = connection.execute(sa.select(sa.func.max(outbox.c.position))).scalar()
            first = connection.execute(
                sa.select(outbox.c.recorded_at)
                .where(outbox.c.position > checkpoint)
                .order_by(outbox.c.position)
                .limit(1)
            ).scalar()
    except Exception as error:  # a store or a database away: the report says which
        return ProjectionReport(error=database_problem(error))
    lag = max(0, int(newest or 0) - checkpoint)
    seconds = age_seconds(first, now or datetime.now(UTC)) if lag else 0.0
    return ProjectionReport(lag, round(seconds, 3), dead)


def projection_from_broker(broker: BrokerReport, projector_url: str) -> ProjectionReport:
    """The distributed shape: what waits in the queue and the held queue, the dead-letter
    queue, and the lag in seconds a projector measured (None if none answers)."""
    if broker.error is not None or len(broker.queues) < 3:
        return ProjectionReport(error=broker.error or "the projector's queues are missing")
    queue, held, dead = broker.queues
    return ProjectionReport(
        queue.messages + held.messages, scraped_lag_seconds(projector_url), dead.messages
    )


def scraped_lag_seconds(projector_url: str) -> float | None:
    try:
        text = httpx.get(f"{projector_url.rstrip('/')}/metrics", timeout=TIMEOUT_SECONDS).text
    except httpx.HTTPError:
        return None
    for family in text_string_to_metric_families(text):
        if family.name == LAG_SECONDS:
            return next((float(s.value) for s in family.samples), None)
    return None


def read_store_state(engine_name: str, store: Callable[[], ReadStore]) -> ReadStoreReport:
    try:
        return ReadStoreReport(engine_name, store().describe_generations())
    except Exception as error:  # the search engine away or not initialised
        return ReadStoreReport(engine_name, error=_why(error))


def database(settings: QuerySettings) -> sa.Engine:
    return create_engine_for(settings.database_url, pool_size=1, max_overflow=0)
