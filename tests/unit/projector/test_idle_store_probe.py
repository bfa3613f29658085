"""An idle broker replica whose store went away finds out by itself that it is back."""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace
from typing import Any, cast

import pytest

from query_service.consumers.rabbitmq import RabbitMqConsumer
from query_service.projector.broker_projector import BrokerProjector
from query_service.read_store.port import ProjectionStore, ReadStoreUnavailable


class IdleConsumer:
    """Connected, with nothing to deliver."""

    topology = SimpleNamespace(queue="projector")
    is_open = True
    buffered = 0

    def fetch(self, limit: int, wait: float, linger: float = 0.0) -> list[Any]:
        return []

    def pump(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        pass


class ComingBackStore:
    """Away for its first ``away`` pings, then answering; stops the run once it answered."""

    guards_documents = True

    def __init__(self, away: int, stop: threading.Event) -> None:
        self.pings = 0
        self._away = away
        self._stop = stop

    def ping(self) -> None:
        self.pings += 1
        if self.pings <= self._away:
            raise ReadStoreUnavailable("connection refused")
        self._stop.set()


def test_an_idle_replica_probes_the_store_and_says_it_is_back(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("query_service.projector.broker_projector.STORE_BACKOFF_MAX", 0.01)
    stop = threading.Event()
    store = ComingBackStore(away=2, stop=stop)
    projector = BrokerProjector(
        cast(RabbitMqConsumer, IdleConsumer()), cast(ProjectionStore, store), idle_timeout=0.0
    )
    projector._store_outage.down("ConnectionError: the write of a batch failed")
    caplog.set_level(logging.WARNING)

    runner = threading.Thread(target=projector.run, args=(stop,), daemon=True)
    runner.start()
    runner.join(10)
    stop.set()
    runner.join(5)
    projector.close()

    assert store.pings == 3, "the replica never learned that the store is back"
    assert not projector._store_outage.is_down
    assert [r.getMessage() for r in caplog.records if "is back after" in r.getMessage()]


def test_a_healthy_idle_replica_does_not_ping_the_store() -> None:
    stop = threading.Event()
    store = ComingBackStore(away=0, stop=stop)
    projector = BrokerProjector(
        cast(RabbitMqConsumer, IdleConsumer()), cast(ProjectionStore, store), idle_timeout=0.0
    )
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    projector.run(stop)
    projector.close()
    assert store.pings == 0
