"""``conference rebuild`` reads a PostgreSQL outbox named the way platforms name it.

``DATABASE_URL=postgres://…`` is what Heroku-style platforms hand out; the command side
always accepted it, the rebuild once failed on it with ``NoSuchModuleError``. Both sides now
parse the URL with ``service_conventions.database_url``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from command_service.adapters.engine import create_engine_for
from command_service.migrate import upgrade
from query_service.read_store.sqlite import SqliteReadStore
from query_service.rebuild import rebuild_read_models
from query_service.settings import QuerySettings
from tests.integration.conftest import new_conference, store
from tests.services import postgres_server_url, temporary_postgres_database


@pytest.fixture
def platform_url() -> Iterator[str]:
    """A migrated PostgreSQL database, its URL spelled ``postgres://`` with no driver."""
    with temporary_postgres_database(postgres_server_url()) as url:
        upgrade(url)
        yield "postgres://" + url.partition("://")[2]


def test_the_rebuild_reads_a_postgres_url(platform_url: str, tmp_path: Path) -> None:
    conference = new_conference(name="Rebuilt from PostgreSQL")
    engine = create_engine_for(platform_url, pool_size=1)
    try:
        store(engine, conference)
    finally:
        engine.dispose()
    settings = QuerySettings(
        database_url=platform_url, search_url=f"sqlite:///{tmp_path / 'query.db'}"
    )

    assert rebuild_read_models(settings, threading.Event()).generation == "g2"

    read_store = SqliteReadStore(tmp_path / "query.db")
    try:
        [document] = read_store.load_conferences([conference.id]).values()
    finally:
        read_store.close()
    assert document.name == "Rebuilt from PostgreSQL"
