"""A talk's conference is a foreign key: the database refuses a talk of an unknown conference.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

``submit_talk`` used to ask whether the conference exists before inserting the talk, one
more round trip per submission (ADR 077); the constraint answers the same question inside
the insert, and the talk repository maps its violation to ``UnknownConference``.
Conferences are never deleted, so no existing talk can violate it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "fk_talks_conference_id"


def upgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        batch.create_foreign_key(CONSTRAINT, "conferences", ["conference_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        batch.drop_constraint(CONSTRAINT, type_="foreignkey")
