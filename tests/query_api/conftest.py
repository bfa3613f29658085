"""Fixtures: a temp outbox, a temp read store, the projector between them, an API client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from query_service.api.app import create_api
from query_service.api.cursor_signing import CursorSigner
from query_service.consumers.outbox_tail import OutboxTail
from query_service.projector.projector import Projector
from query_service.projector.retry import RetryPolicy
from query_service.read_store.sqlite import SqliteReadStore
from service_conventions.consistency.token import ConsistencyTokens
from tests.query_api.support import Outbox, Programme


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "command.db")


@pytest.fixture
def programme(outbox: Outbox) -> Programme:
    return Programme(outbox)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteReadStore]:
    read_store = SqliteReadStore(tmp_path / "query.db")
    read_store.initialize()
    yield read_store
    read_store.close()


def make_projector(outbox: Outbox, store: SqliteReadStore, batch_size: int = 500) -> Projector:
    retry = RetryPolicy(attempts=3, first_delay=0.001, max_delay=0.01)
    tail = OutboxTail(outbox.path, poll_interval=0.005)
    return Projector(tail, store, batch_size=batch_size, retry=retry)


@pytest.fixture
def projector(outbox: Outbox, store: SqliteReadStore) -> Iterator[Projector]:
    built = make_projector(outbox, store)
    yield built
    built.close()


@pytest.fixture
def cursors() -> CursorSigner:
    """The key the client's app signs cursors with (tests forge and re-sign with it)."""
    return CursorSigner.ephemeral()


@pytest.fixture
def tokens() -> ConsistencyTokens:
    """The key Consistency-Token headers to the client's app are signed with."""
    return ConsistencyTokens.ephemeral()


@pytest.fixture
def client(
    store: SqliteReadStore, cursors: CursorSigner, tokens: ConsistencyTokens
) -> Iterator[TestClient]:
    app = create_api(store, cursors=cursors, consistency=tokens)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
