"""The embedded read store: SQLite with FTS5, in its own database file."""

from query_service.read_store.sqlite.store import SqliteReadStore

__all__ = ["SqliteReadStore"]
