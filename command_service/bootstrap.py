"""The composition root: builds the command service's adapters from settings.

Nothing is built at import time. Tests and the CLI call ``bootstrap(settings)`` (through
``create_app``) and get one ``CommandService`` that owns the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import sqlalchemy as sa

from command_service.adapters.engine import create_engine_for
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.handlers.runner import CommandRun, Guard, Handler, IdempotencyClaim, run
from command_service.migrate import head_revisions, is_at_head
from command_service.ports import UnitOfWork
from command_service.settings import Settings
from shared_domain.envelope import TraceContext

C = TypeVar("C")


@dataclass
class CommandService:
    """What the API needs of the write side: run a command, and say whether it is ready."""

    engine: sa.Engine
    migration_heads: set[str]
    unit_of_work: Callable[[TraceContext], UnitOfWork]

    def run(
        self,
        handler: Handler[C],
        command: C,
        trace: TraceContext,
        idempotency: IdempotencyClaim | None = None,
        guard: Guard | None = None,
    ) -> CommandRun:
        return run(
            handler,
            command,
            lambda: self.unit_of_work(trace),
            idempotency=idempotency,
            guard=guard,
        )

    def readiness_problem(self) -> str | None:
        """Why the service cannot take commands right now, or ``None`` when it can."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
                if not is_at_head(connection, self.migration_heads):
                    return "the database schema is not at the latest migration; run migrate"
        except sa.exc.SQLAlchemyError as error:
            return f"the database is not reachable: {type(error).__name__}"
        return None

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings) -> CommandService:
    engine = create_engine_for(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pre_ping=False,  # the unit of work retries on a dropped connection instead (ADR 077)
    )
    return CommandService(
        engine=engine,
        migration_heads=head_revisions(settings.database_url),
        unit_of_work=partial(SqlUnitOfWork, engine),
    )
