"""What a broker replica takes into its next batch: retries that fill a batch do not keep
what was received already waiting behind them (ADR 086)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from query_service.consumers.rabbitmq import Delivery, RabbitMqConsumer
from query_service.projector.broker_projector import BrokerProjector
from query_service.projector.broker_writer import Pending
from query_service.projector.decoding import Decoded
from query_service.read_store.port import ProjectionStore


class BufferingConsumer:
    """Connected, with ``received`` deliveries read off the socket and not yet taken."""

    topology = SimpleNamespace(queue="projector")
    is_open = True

    def __init__(self, received: list[Any]) -> None:
        self._buffer = received

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def fetch(self, limit: int, wait: float, linger: float = 0.0) -> list[Any]:
        taken, self._buffer = self._buffer[:limit], self._buffer[limit:]
        return taken

    def close(self) -> None:
        pass


def delivery(tag: int) -> Delivery:
    return cast(Delivery, SimpleNamespace(epoch=1, tag=tag))


def waiting(tag: int) -> Pending:
    return Pending(delivery(tag), cast(Decoded, SimpleNamespace()), due=0.0)


def decoded(d: Delivery) -> Decoded:
    return cast(Decoded, SimpleNamespace(tag=d.tag))


def projector_with(received: list[Delivery], due: int, batch_size: int) -> BrokerProjector:
    store = cast(ProjectionStore, SimpleNamespace(guards_documents=True))
    projector = BrokerProjector(
        cast(RabbitMqConsumer, BufferingConsumer(received)), store, batch_size=batch_size
    )
    projector._settlement._waiting = [waiting(100 + i) for i in range(due)]
    projector._decoded.take = decoded  # type: ignore[method-assign,assignment]
    return projector


def test_received_deliveries_are_taken_even_when_due_retries_fill_the_batch() -> None:
    projector = projector_with([delivery(1), delivery(2)], due=5, batch_size=5)
    batch = projector._take(wait=0.0, linger=0.0)
    projector.close()
    assert len(batch) == 7
    assert [p.delivery.tag for p in batch[-2:]] == [1, 2]


def test_retries_and_new_deliveries_make_at_most_a_batch_of_each() -> None:
    projector = projector_with([delivery(i) for i in range(1, 9)], due=2, batch_size=5)
    batch = projector._take(wait=0.0, linger=0.0)
    projector.close()
    assert [p.delivery.tag for p in batch] == [100, 101, 1, 2, 3, 4, 5]


def test_without_retries_a_batch_is_the_batch_size() -> None:
    projector = projector_with([delivery(i) for i in range(1, 9)], due=0, batch_size=5)
    batch = projector._take(wait=0.0, linger=0.0)
    projector.close()
    assert [p.delivery.tag for p in batch] == [1, 2, 3, 4, 5]
