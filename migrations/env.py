"""Alembic environment: runs the migrations against the command database.

The URL comes from the Alembic config when ``command_service.migrate`` set it, else from the
service settings (``DATABASE_URL``). The engine is built by the service's own factory, so
migrations run with the same SQLite pragmas and transaction mode as the service. The
dependency points one way: this file uses the command service's adapters, and nothing it
imports leads back to ``command_service.migrate`` (ADR 066).
"""

from __future__ import annotations

from alembic import context

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import metadata
from command_service.settings import load_settings


def _database_url() -> str:
    configured = context.config.get_main_option("sqlalchemy.url")
    return configured or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine_for(_database_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                transaction_per_migration=False,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
