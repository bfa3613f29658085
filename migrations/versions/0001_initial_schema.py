"""Initial schema: aggregate snapshots, single ratings, outbox, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Written out in full rather than imported from ``tables.py``: a migration is a frozen record
of the schema at one point in time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conferences",
        sa.Column("id", ID, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "talks",
        sa.Column("id", ID, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("conference_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_talks_conference_id", "talks", ["conference_id"])
    op.create_table(
        "talk_ratings",
        sa.Column("id", ID, primary_key=True, comment="the rated talk's id"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "ratings",
        sa.Column("talk_id", ID, primary_key=True),
        sa.Column("attendee_id", sa.String(64), primary_key=True),
        sa.Column("stars", sa.SmallInteger, nullable=False),
        sa.Column("rated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="ck_ratings_stars"),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(),
            primary_key=True,
        ),
        sa.Column("event_id", ID, nullable=False, unique=True),
        sa.Column("aggregate_type", sa.String(32), nullable=False),
        sa.Column("aggregate_id", ID, nullable=False),
        sa.Column("aggregate_version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("envelope", sa.Text, nullable=False, comment="the CloudEvents JSON document"),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint(
            "aggregate_type",
            "aggregate_id",
            "aggregate_version",
            name="uq_outbox_aggregate_version",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["position"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("outbox")
    op.drop_table("ratings")
    op.drop_table("talk_ratings")
    op.drop_table("talks")
    op.drop_table("conferences")
