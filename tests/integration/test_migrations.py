"""The migrations build exactly the schema that ``tables.py`` describes, and are re-runnable."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from command_service.adapters.engine import create_engine_for
from command_service.adapters.tables import metadata
from command_service.adapters.talk_repository import SqlTalkRepository
from command_service.migrate import alembic_config, head_revisions, is_at_head, upgrade
from shared_domain.talk import Talk
from tests.unit.command.builders import details


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


def test_talks_from_before_submitters_stay_valid_and_have_none(tmp_path: Path) -> None:
    """Migration 0003 adds ``talks.submitted_by``: a row written at 0002 loads, unowned."""
    url = f"sqlite:///{tmp_path / 'command.db'}"
    command.upgrade(alembic_config(url), "0002")
    talk = Talk.submit(str(uuid.uuid4()), str(uuid.uuid4()), details())
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO talks (id, version, conference_id, status, state, updated_at) "
                    "VALUES (:id, 1, :conference, 'submitted', :state, CURRENT_TIMESTAMP)"
                ),
                {
                    "id": talk.id,
                    "conference": talk.conference_id,
                    "state": json.dumps(talk.to_state()),
                },
            )
        command.upgrade(alembic_config(url), "0003")  # 0004 wants the talk's conference
        with engine.connect() as connection:
            loaded = SqlTalkRepository(connection).get(talk.id)
    finally:
        engine.dispose()
    assert (loaded.version, loaded.submitted_by, loaded.details) == (1, None, talk.details)
