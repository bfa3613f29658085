"""Tables of the SQLite read store, grouped in generations behind a pointer.

Every read model of one generation lives in tables prefixed ``<generation>_``. The ``meta``
table names the active generation; a rebuild fills a new generation from the event log
while readers keep using the old one, then moves the pointer in one transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from query_service.read_store.generations import (
    check_generation,
    generation_number,
    is_generation,
)

ACTIVE_KEY = "active_generation"

META_DDL = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def generation_ddl(g: str) -> list[str]:
    check_generation(g)
    return [
        f"""CREATE TABLE IF NOT EXISTS {g}_talks (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            doc TEXT NOT NULL,
            visible INTEGER NOT NULL,
            conference_id TEXT,
            status TEXT,
            level TEXT,
            format TEXT,
            language TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            stage TEXT,
            day TEXT,
            starts_epoch REAL,
            title_key TEXT NOT NULL DEFAULT '',
            rating_average REAL NOT NULL DEFAULT 0,
            rating_count INTEGER NOT NULL DEFAULT 0,
            submitted_epoch REAL NOT NULL DEFAULT 0
        )""",
        f"CREATE INDEX IF NOT EXISTS {g}_talks_conference ON {g}_talks (conference_id, status)",
        f"CREATE INDEX IF NOT EXISTS {g}_talks_starts ON {g}_talks (starts_epoch)",
        f"CREATE INDEX IF NOT EXISTS {g}_talks_visible ON {g}_talks (visible)",
        # Keyword fields (fields.py), one row per value: narrow a search by (field, value),
        # count the facets of a set of matches by talk.
        f"""CREATE TABLE IF NOT EXISTS {g}_talk_fields (
            seq INTEGER NOT NULL,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (seq, field, value)
        ) WITHOUT ROWID""",
        f"CREATE INDEX IF NOT EXISTS {g}_talk_fields_value ON {g}_talk_fields (field, value)",
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {g}_talks_fts USING fts5 (
            title, speakers, abstract, tags, tokenize = 'porter unicode61'
        )""",
        # Typo tolerance needs the words as written: porter stems ("operators" -> "oper")
        # are too short to compare with a misspelling, so an unstemmed twin holds them.
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {g}_words_fts USING fts5 (
            words, tokenize = 'unicode61', detail = 'none'
        )""",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {g}_words_vocab USING fts5vocab ({g}_words_fts, row)",
        f"""CREATE TABLE IF NOT EXISTS {g}_speakers (
            talk_id TEXT NOT NULL,
            conference_id TEXT NOT NULL,
            status TEXT NOT NULL,
            name_key TEXT NOT NULL,
            name TEXT NOT NULL,
            company TEXT
        )""",
        f"CREATE INDEX IF NOT EXISTS {g}_speakers_talk ON {g}_speakers (talk_id)",
        f"CREATE INDEX IF NOT EXISTS {g}_speakers_name ON {g}_speakers (name_key)",
        f"""CREATE TABLE IF NOT EXISTS {g}_conferences (
            id TEXT PRIMARY KEY,
            doc TEXT NOT NULL
        )""",
        f"""CREATE TABLE IF NOT EXISTS {g}_checkpoints (
            consumer TEXT PRIMARY KEY,
            position INTEGER NOT NULL
        )""",
        f"""CREATE TABLE IF NOT EXISTS {g}_dead_letters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            position INTEGER,
            event_id TEXT,
            event_type TEXT,
            stream TEXT,
            reason TEXT NOT NULL,
            envelope TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            parked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )""",
        f"CREATE INDEX IF NOT EXISTS {g}_dead_letters_stream ON {g}_dead_letters (stream)",
        # One row per application, deliberately without a unique key: an event applied
        # twice would show as two rows, which is what the crash tests look for.
        f"""CREATE TABLE IF NOT EXISTS {g}_applied_events (
            event_id TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )""",
    ]


def generations(conn: sqlite3.Connection) -> list[str]:
    """The generations whose tables exist, oldest first."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'g[0-9]*_talks'"
    )
    found = [str(row[0]).removesuffix("_talks") for row in rows]
    return sorted((g for g in found if is_generation(g)), key=generation_number)


def drop_generation(conn: sqlite3.Connection, g: str) -> None:
    """Drop every table of generation ``g`` (virtual tables drop their shadow tables)."""
    check_generation(g)
    names = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE ? ESCAPE '\\' AND type = 'table'",
            (f"{g}\\_%",),
        )
    ]
    for name in sorted(names, key=lambda name: not name.endswith("_vocab")):
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ? AND type = 'table'", (name,)
        ).fetchone():
            conn.execute(f'DROP TABLE IF EXISTS "{name}"')
    conn.execute("DELETE FROM meta WHERE key = ?", (_created_key(g),))


def create_generation(conn: sqlite3.Connection, g: str) -> None:
    """Create ``g``'s tables (if missing) and note when it was made, for operators."""
    for statement in generation_ddl(g):
        conn.execute(statement)
    _add_language(conn, g)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
        "ON CONFLICT (key) DO NOTHING",
        (_created_key(g),),
    )


def _add_language(conn: sqlite3.Connection, g: str) -> None:
    """Give a generation made before talks had a language its column, filled from the
    documents (which read as English without one): an upgrade in place, no rebuild."""
    columns = {str(row[1]) for row in conn.execute(f"PRAGMA table_info({g}_talks)")}
    if "language" in columns:
        return
    conn.execute(f"ALTER TABLE {g}_talks ADD COLUMN language TEXT")
    conn.execute(
        f"UPDATE {g}_talks SET language = coalesce(json_extract(doc, '$.details.language'), "
        "'en') WHERE json_extract(doc, '$.details') IS NOT NULL"
    )


def _created_key(g: str) -> str:
    return f"created:{check_generation(g)}"


def created_at(conn: sqlite3.Connection, g: str) -> datetime | None:
    """When ``g`` was made; None for a generation from before this was recorded."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_created_key(g),)).fetchone()
    return None if row is None else datetime.fromisoformat(str(row[0]))


def document_counts(conn: sqlite3.Connection, g: str) -> tuple[int, int]:
    """Talk and conference documents of ``g``."""
    check_generation(g)
    talks = conn.execute(f"SELECT count(*) FROM {g}_talks").fetchone()[0]
    conferences = conn.execute(f"SELECT count(*) FROM {g}_conferences").fetchone()[0]
    return int(talks), int(conferences)


def active_generation(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (ACTIVE_KEY,)).fetchone()
    return None if row is None else check_generation(str(row[0]))


def set_active_generation(conn: sqlite3.Connection, g: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (ACTIVE_KEY, check_generation(g)),
    )
