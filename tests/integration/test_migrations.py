"""The migrations build exactly the schema that ``tables.py`` describes, and are re-runnable."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from command_service.adapters.tables import metadata
from command_service.migrate import head_revisions, is_at_head, upgrade


def test_the_migrated_schema_matches_the_tables(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_upgrading_again_is_a_no_op_and_leaves_the_database_at_head(
    database_url: str, engine: sa.Engine
) -> None:
    upgrade(database_url)
    with engine.connect() as connection:
        assert is_at_head(connection, head_revisions(database_url))
