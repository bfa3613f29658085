"""Bringing the command database schema to the latest migration, and checking it is there.

``upgrade`` is what ``conference migrate`` runs; ``is_at_head`` is what ``/health/ready``
asks. The Alembic scripts are found inside the installed ``migrations`` package, so this
works from a wheel as well as from a checkout. Only that bare package is imported here (it
imports nothing); ``migrations/env.py``, which imports the tables and the engine factory,
is run by Alembic and never imported by the service (ADR 066).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from service_conventions.database_url import sqlite_file_of


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Apply every pending migration; creates the parent folder of a SQLite file first."""
    database_file = sqlite_file_of(database_url)
    if database_file is not None:
        database_file.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), "head")


def head_revisions(database_url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def is_at_head(connection: sa.Connection, heads: set[str]) -> bool:
    """Whether the database behind ``connection`` has exactly the migration heads ``heads``."""
    return set(MigrationContext.configure(connection).get_current_heads()) == heads
