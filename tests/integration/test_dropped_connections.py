"""A connection the server dropped is replaced, not pinged (ADR 077): the command API's pool
has no pre-ping, and a command whose pooled connection died before its COMMIT is re-run on
a fresh one. PostgreSQL only: SQLite has no server to drop a connection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import conferences, outbox
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.bootstrap import CommandService, bootstrap
from command_service.handlers.create_conference import CreateConference, create_conference
from command_service.handlers.runner import MAX_ATTEMPTS, run
from command_service.settings import load_settings
from tests.integration.conftest import empty_tables, trace


@pytest.fixture
def database_url(postgres_database: str) -> str:
    empty_tables(postgres_database)
    return postgres_database


@pytest.fixture
def service(database_url: str) -> Iterator[CommandService]:
    service = bootstrap(load_settings(database_url=database_url))
    yield service
    service.close()


def new_conference() -> CreateConference:
    return CreateConference(
        conference_id=str(uuid.uuid4()),
        name="Dropped",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 1, 2),
        stages=("Main",),
    )


OTHER_SESSIONS = (
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend' AND usename = current_user"
)
"""The pool's sessions. Not an autovacuum worker that happens to be in the database: it
is the server's own (a superuser's), which our role may not terminate, and no restart
of ours would be needed to see it go."""


def drop_connections(database_url: str) -> int:
    """What a server restart does to the pool: every other session of the database ends.
    ``pg_terminate_backend`` only signals, so this waits until the sessions are gone: a
    backend still alive would serve the next statement and hide the drop."""
    admin = create_engine_for(database_url, pool_size=1, max_overflow=0)
    try:
        with admin.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            dropped = connection.scalar(
                sa.text(f"SELECT count(pg_terminate_backend(pid)) {OTHER_SESSIONS}")
            )
            deadline = time.monotonic() + 10
            while connection.scalar(sa.text(f"SELECT count(*) {OTHER_SESSIONS}")):
                assert time.monotonic() < deadline, "terminated sessions did not end in 10 s"
                time.sleep(0.01)
    finally:
        admin.dispose()
    return int(dropped or 0)


def count(service: CommandService, table: sa.Table) -> int:
    with service.engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_the_command_pool_does_not_ping(service: CommandService) -> None:
    assert service.engine.pool._pre_ping is False


def test_a_command_on_a_dropped_connection_is_rerun_on_a_fresh_one(
    service: CommandService, database_url: str
) -> None:
    run(
        create_conference, new_conference(), lambda: service.unit_of_work(trace())
    )  # a pooled connection
    assert drop_connections(database_url) >= 1
    outcome = run(create_conference, new_conference(), lambda: service.unit_of_work(trace()))
    assert outcome.result.version == 1
    assert (count(service, conferences), count(service, outbox)) == (2, 2)


def test_when_every_connection_drops_the_database_error_surfaces(
    service: CommandService, database_url: str
) -> None:
    """Not a conflict (409): the database's own error, which the API answers with 503."""
    attempts = 0

    class Dropping(SqlUnitOfWork):
        def __enter__(self) -> Dropping:
            nonlocal attempts
            attempts += 1
            entered = super().__enter__()  # checked out: the connection exists now
            drop_connections(database_url)
            return entered

    run(create_conference, new_conference(), lambda: service.unit_of_work(trace()))
    with pytest.raises(OperationalError):
        run(
            create_conference,
            new_conference(),
            lambda: Dropping(service.engine, trace()),
            sleep=lambda _: None,
        )
    assert attempts == MAX_ATTEMPTS
