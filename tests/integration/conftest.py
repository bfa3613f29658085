"""Databases for the write-side contract tests, one fixture parameter per backend.

Only SQLite runs today. PostgreSQL joins by adding a parameter whose branch resolves a URL
(environment first, then a testcontainers container, else skip locally / fail in CI) and
migrates a fresh schema; every test below then runs against both unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.migrate import upgrade
from shared_domain.conference import Conference
from shared_domain.envelope import TraceContext

BACKENDS = ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    backend: str = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'command.db'}"
    else:  # pragma: no cover - the next backend plugs in here
        raise NotImplementedError(backend)
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


def trace(correlation_id: str = "test") -> TraceContext:
    return TraceContext(correlation_id=correlation_id, causation_id=str(uuid.uuid4()))


def new_conference(**overrides: object) -> Conference:
    fields: dict[str, object] = {
        "name": "Conf",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-02",
        "stages": ["Main", "Side"],
    }
    return Conference.create(str(uuid.uuid4()), **{**fields, **overrides})


def store(engine: sa.Engine, conference: Conference) -> None:
    with SqlUnitOfWork(engine, trace()) as uow:
        uow.conferences.add(conference)
        uow.commit()
