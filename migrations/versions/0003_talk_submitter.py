"""Talks record who submitted them: ``talks.submitted_by``, the submitter's token subject.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

The write API's policy lets a speaker edit and withdraw only the talks they submitted
(ADR 068). The column is nullable: talks submitted before there were tokens have no
submitter, and only an organizer may edit or withdraw them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        batch.add_column(
            sa.Column(
                "submitted_by",
                sa.String(255),
                nullable=True,
                comment="the submitter's token subject; null for talks from before tokens",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        batch.drop_column("submitted_by")
