"""PostgreSQL: notify channel ``outbox`` whenever outbox rows are inserted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-01

The relay LISTENs on ``outbox`` and so wakes up as soon as a command commits events,
without polling (ADR 040). ``NOTIFY`` is transactional: it is delivered on commit, never for
a rolled-back command, and PostgreSQL folds identical notifications of one transaction into
one. A trigger rather than application code, so that every writer of the outbox wakes the
relay. SQLite has no notifications: there the relay polls, and this revision does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _is_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    if not _is_postgresql():
        return
    op.execute(
        """
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('outbox', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()"
    )


def downgrade() -> None:
    if not _is_postgresql():
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
