"""The command database schema as SQLAlchemy Core tables.

Aggregates are stored as a JSON snapshot (``state``) beside their ``version``, plus the few
columns that queries need (``talks.conference_id``). The snapshot keeps the mapping trivial
and the domain free of storage concerns; the migrations in ``migrations/`` create exactly
these tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

ID = sa.String(36)
"""Aggregate ids are canonical UUID strings."""

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""SQLite only gives ``AUTOINCREMENT`` (never reused positions) to ``INTEGER PRIMARY KEY``."""

conferences = sa.Table(
    "conferences",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", Json, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

talks = sa.Table(
    "talks",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "conference_id",
        ID,
        sa.ForeignKey("conferences.id", name="fk_talks_conference_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("state", Json, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column(
        "submitted_by",
        sa.String(255),
        nullable=True,
        comment="the submitter's token subject; null for talks from before tokens",
    ),
)

talk_ratings = sa.Table(
    "talk_ratings",
    metadata,
    sa.Column("id", ID, primary_key=True, comment="the rated talk's id"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", Json, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column("talk_id", ID, primary_key=True),
    sa.Column("attendee_id", sa.String(64), primary_key=True),
    sa.Column("stars", sa.SmallInteger, nullable=False),
    sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stars BETWEEN 1 AND 5", name="ck_ratings_stars"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("position", Position, sa.Identity(), primary_key=True),
    sa.Column("event_id", ID, nullable=False, unique=True),
    sa.Column("aggregate_type", sa.String(32), nullable=False),
    sa.Column("aggregate_id", ID, nullable=False),
    sa.Column("aggregate_version", sa.Integer, nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("envelope", sa.Text, nullable=False, comment="the CloudEvents JSON document"),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint(
        "aggregate_type", "aggregate_id", "aggregate_version", name="uq_outbox_aggregate_version"
    ),
    sa.Index(
        "ix_outbox_unpublished",
        "position",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    ),
    sqlite_autoincrement=True,
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("result", Json, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
