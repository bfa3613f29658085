"""Database URLs as operators write them, turned into the one spelling SQLAlchemy needs.

Platforms hand out ``postgres://`` (Heroku, many PaaS) or ``postgresql://`` URLs; SQLAlchemy
reads the first as an unknown dialect and the second as psycopg2, which is not installed.
Both mean PostgreSQL through psycopg 3 here, so they are rewritten once, where settings are
read and where engines are built, instead of failing at the first connection.
"""

from __future__ import annotations

PSYCOPG_SCHEME = "postgresql+psycopg"
_POSTGRES_ALIASES = ("postgres", "postgresql")


def normalize_database_url(database_url: str) -> str:
    """``postgres://…`` and ``postgresql://…`` become ``postgresql+psycopg://…``; others pass."""
    scheme, separator, rest = database_url.partition("://")
    if separator and scheme.lower() in _POSTGRES_ALIASES:
        return f"{PSYCOPG_SCHEME}://{rest}"
    return database_url


def libpq_conninfo(database_url: str) -> str:
    """The URL in the form libpq (``psycopg.connect``) takes: no SQLAlchemy driver suffix.

    The relay listens for notifications on a plain psycopg connection of its own, outside
    the pool, so it needs the URL without ``+psycopg``.
    """
    scheme, separator, rest = normalize_database_url(database_url).partition("://")
    if not separator or not scheme.startswith("postgresql"):
        raise ValueError("not a PostgreSQL URL")
    return f"postgresql://{rest}"
