"""Database URLs as operators write them, parsed the same way by both services.

Platforms hand out ``postgres://`` (Heroku, many PaaS) or ``postgresql://`` URLs; SQLAlchemy
reads the first as an unknown dialect and the second as psycopg2, which is not installed.
Both mean PostgreSQL through psycopg 3 here, so they are rewritten once, where settings are
read (``DatabaseUrl``) and where engines are built, instead of failing at the first
connection. SQLite URLs name a file, which the embedded shape opens directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

PSYCOPG_SCHEME = "postgresql+psycopg"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_POSTGRES_ALIASES = ("postgres", "postgresql")


class NotASqliteUrl(ValueError):
    """The URL names another engine, or no file; the embedded adapters cannot use it."""


def normalize_database_url(database_url: str) -> str:
    """``postgres://…`` and ``postgresql://…`` become ``postgresql+psycopg://…``; others pass."""
    scheme, separator, rest = database_url.partition("://")
    if separator and scheme.lower() in _POSTGRES_ALIASES:
        return f"{PSYCOPG_SCHEME}://{rest}"
    return database_url


def supported_database_url(database_url: str) -> str:
    """The URL, if it names one of ``SUPPORTED_BACKENDS``; a ``ValueError`` that says which
    backends are supported otherwise (pydantic reports it as the setting's error)."""
    try:
        backend = make_url(database_url).get_backend_name()
    except ArgumentError:
        raise ValueError(f"DATABASE_URL {database_url!r} is not a database URL") from None
    if backend not in SUPPORTED_BACKENDS:
        raise ValueError(
            f"DATABASE_URL must be one of {', '.join(SUPPORTED_BACKENDS)}, not {backend}"
        )
    return database_url


def _normalized(value: object) -> object:
    return normalize_database_url(value) if isinstance(value, str) else value


DatabaseUrl = Annotated[str, BeforeValidator(_normalized), AfterValidator(supported_database_url)]
"""A setting holding a database URL: normalized, and refused unless SQLite or PostgreSQL."""


def libpq_conninfo(database_url: str) -> str:
    """The URL in the form libpq (``psycopg.connect``) takes: no SQLAlchemy driver suffix.

    The relay listens for notifications on a plain psycopg connection of its own, outside
    the pool, so it needs the URL without ``+psycopg``.
    """
    scheme, separator, rest = normalize_database_url(database_url).partition("://")
    if not separator or not scheme.startswith("postgresql"):
        raise ValueError("not a PostgreSQL URL")
    return f"postgresql://{rest}"


def sqlite_file_of(database_url: str) -> Path | None:
    """The file behind a SQLite URL (``None`` for other databases and in-memory SQLite)."""
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def sqlite_path(database_url: str) -> Path:
    """The file a SQLite URL names (``sqlite:///relative.db``, ``sqlite:////abs.db``)."""
    try:
        path = sqlite_file_of(database_url)
    except ArgumentError:
        path = None
    if path is None:
        raise NotASqliteUrl(f"{database_url!r} does not name a SQLite database file")
    return path
