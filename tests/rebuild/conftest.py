"""A migrated PostgreSQL command database per test, and the read stores a rebuild fills.

Every read store runs: SQLite, OpenSearch and Elasticsearch (``tests/services.py`` finds
them, fails under ``CI=true`` when one is missing); each search engine test gets its own
index prefix and deletes its indices afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.migrate import upgrade
from query_service.bootstrap import build_read_store
from query_service.read_store.port import ReadStore
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.settings import QuerySettings
from tests.services import (
    elasticsearch_url,
    opensearch_url,
    postgres_server_url,
    random_index_prefix,
    temporary_postgres_database,
)


@pytest.fixture
def command_url() -> Iterator[str]:
    with temporary_postgres_database(postgres_server_url()) as url:
        upgrade(url)
        yield url


@pytest.fixture
def command_engine(command_url: str) -> Iterator[sa.Engine]:
    engine = create_engine_for(command_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "opensearch", "elasticsearch"])
def settings(
    request: pytest.FixtureRequest, command_url: str, tmp_path: Path
) -> Iterator[QuerySettings]:
    """The query side's settings on ``command_url`` and one kind of read store."""
    engine: str = request.param
    if engine == "sqlite":
        yield QuerySettings(database_url=command_url, search_url=f"sqlite:///{tmp_path / 'q.db'}")
        return
    url = opensearch_url() if engine == "opensearch" else elasticsearch_url()
    chosen = QuerySettings(
        database_url=command_url,
        search_engine=engine,
        search_url=url,
        search_index_prefix=random_index_prefix(),
        search_index_replicas=0,
    )
    yield chosen
    store = build_read_store(chosen)
    try:
        assert isinstance(store, SearchEngineReadStore)
        store.drop()
    finally:
        store.close()


@pytest.fixture
def live_store(settings: QuerySettings) -> Iterator[ReadStore]:
    """The serving read store, initialised (generation g1)."""
    store = build_read_store(settings)
    store.initialize()
    yield store
    store.close()
