"""The read-store contract runs against every adapter through the ``read_store`` fixture.

``sqlite`` always runs. ``opensearch`` and ``elasticsearch`` resolve their engine through
``tests/services.py`` (``TEST_OPENSEARCH_URL`` / ``TEST_ELASTICSEARCH_URL``, else a
container when Docker answers, else a loud skip, and a failure under ``CI=true``). Each
test gets its own random index prefix and deletes its indices afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from query_service.read_store.port import ReadStore
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.search_engine.factory import engine_client
from query_service.read_store.search_engine.naming import IndexNames
from query_service.read_store.sqlite import SqliteReadStore
from tests.services import elasticsearch_url, opensearch_url, random_index_prefix

ENGINES: dict[str, Callable[[], str]] = {
    "opensearch": opensearch_url,
    "elasticsearch": elasticsearch_url,
}


def search_engine_store(engine: str) -> SearchEngineReadStore:
    """A store on a fresh, random prefix (no replicas: test clusters have one node)."""
    client = engine_client(engine, ENGINES[engine]())
    return SearchEngineReadStore(client, names=IndexNames(random_index_prefix()), replicas=0)


@contextmanager
def initialized_engine_store(engine: str) -> Iterator[SearchEngineReadStore]:
    """``search_engine_store``, initialised, and its indices dropped afterwards."""
    store = search_engine_store(engine)
    try:
        store.initialize()
        yield store
    finally:
        store.drop()
        store.close()


@pytest.fixture(params=list(ENGINES))
def engine_store(request: pytest.FixtureRequest) -> Iterator[SearchEngineReadStore]:
    """An initialised store on each search engine."""
    with initialized_engine_store(request.param) as store:
        yield store


@pytest.fixture(params=["sqlite", "opensearch", "elasticsearch"])
def read_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReadStore]:
    if request.param == "sqlite":
        store = SqliteReadStore(tmp_path / "query.db")
        store.initialize()
        yield store
        store.close()
        return
    with initialized_engine_store(request.param) as engine_store:
        yield engine_store
