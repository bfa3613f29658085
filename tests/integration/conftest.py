"""Databases for the write-side contract tests, one fixture parameter per backend.

Every test in this folder runs on SQLite and on PostgreSQL unchanged. SQLite gets a fresh
file per test. PostgreSQL is resolved by ``tests/services.py`` (``TEST_POSTGRES_URL``, else a
container, else skip locally / fail in CI); the session migrates its own random database
once and each test starts from emptied tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import metadata
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.migrate import upgrade
from shared_domain.conference import Conference
from shared_domain.envelope import TraceContext
from tests.services import postgres_server_url, temporary_postgres_database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One migrated ``test_<random>`` database for the whole session, dropped at its end."""
    with temporary_postgres_database(postgres_server_url()) as url:
        upgrade(url)
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    backend: str = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'command.db'}"
        upgrade(url)
        return url
    url = str(request.getfixturevalue("postgres_database"))
    empty_tables(url)
    return url


def empty_tables(database_url: str) -> None:
    """Every command table emptied and positions restarted: each test starts from nothing."""
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    engine = create_engine_for(database_url, pool_size=1)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY"))
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


def trace(correlation_id: str = "test") -> TraceContext:
    return TraceContext(correlation_id=correlation_id, causation_id=str(uuid.uuid4()))


def new_conference(**overrides: Any) -> Conference:
    fields: dict[str, Any] = {
        "name": "Conf",
        "starts_on": date(2026, 6, 1),
        "ends_on": date(2026, 6, 2),
        "stages": ["Main", "Side"],
    }
    return Conference.create(str(uuid.uuid4()), **{**fields, **overrides})


def store(engine: sa.Engine, conference: Conference) -> None:
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        uow.commit()
