"""``SqliteReadStore``: the SQLite FTS5 adapter of both read-store protocols.

Readers follow the active generation named in ``meta`` on every call, so a rebuild's
switch-over is seen at once. A store built with an explicit generation is pinned to it
(that is how a rebuild fills a new generation while the old one keeps serving).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.read_store.generations import (
    FIRST_GENERATION,
    check_generation,
    generation_named,
    generation_number,
)
from query_service.read_store.port import (
    DeadLetter,
    GenerationInfo,
    LoadedDocuments,
    ReadStoreUnavailable,
    SpeakerQuery,
    SpeakerSummary,
    TalkPage,
    TalkQuery,
    TopTalksQuery,
    WriteBatch,
)
from query_service.read_store.sqlite import queries, schema, writer
from query_service.read_store.sqlite.connection import ConnectionPool
from query_service.read_store.sqlite.search import search_talks
from query_service.read_store.versions import documents_to_read, versions_in
from service_conventions.consistency.token import MarkRef


class SqliteReadStore:
    engine = "sqlite"
    """The engine's name on metrics (``conference_read_store_write_duration_seconds``)."""

    def __init__(self, path: Path, *, generation: str | None = None) -> None:
        self._pool = ConnectionPool(path)
        self._pinned = None if generation is None else check_generation(generation)

    # --- lifecycle and generations ------------------------------------------------------

    def initialize(self) -> None:
        """Create the meta table and a first active generation if there is none yet."""
        self._pool.get().execute("PRAGMA journal_mode = WAL")
        with self._pool.transaction() as conn:
            conn.execute(schema.META_DDL)
            active = schema.active_generation(conn)
            if active is None:
                active = FIRST_GENERATION
                schema.set_active_generation(conn, active)
            schema.create_generation(conn, self._pinned or active)
            writer.backfill_talk_fields(conn, self._pinned or active)

    def create_generation(self) -> str:
        """A new, empty generation for a rebuild; it does not serve until activated."""
        with self._pool.transaction() as conn:
            conn.execute(schema.META_DDL)
            row = conn.execute("SELECT value FROM meta WHERE key = 'last_generation'").fetchone()
            current = schema.active_generation(conn) or FIRST_GENERATION
            last = max(generation_number(current), int(row[0]) if row else 0)
            name = generation_named(last + 1)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('last_generation', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(last + 1),),
            )
            schema.create_generation(conn, name)
        return name

    def for_generation(self, generation: str) -> SqliteReadStore:
        """A store on the same file pinned to ``generation``, initialised."""
        pinned = SqliteReadStore(self._pool.path, generation=generation)
        pinned.initialize()
        return pinned

    def activate_generation(self, name: str) -> None:
        """Switch every reader to ``name`` in one transaction."""
        with self._pool.transaction() as conn:
            writer.backfill_talk_fields(conn, name)
            schema.set_active_generation(conn, name)

    def generations(self) -> list[str]:
        with self._pool.snapshot() as conn:
            return schema.generations(conn)

    def describe_generations(self) -> list[GenerationInfo]:
        with self._pool.snapshot() as conn:
            active = schema.active_generation(conn)
            described = []
            for g in schema.generations(conn):
                talks, conferences = schema.document_counts(conn, g)
                described.append(
                    GenerationInfo(g, g == active, talks, conferences, schema.created_at(conn, g))
                )
            return described

    def drop_generation(self, generation: str) -> None:
        with self._pool.transaction() as conn:
            if generation == schema.active_generation(conn):
                raise ValueError(f"{generation} is the active generation; it serves readers")
            schema.drop_generation(conn, generation)

    def close(self) -> None:
        self._pool.close()

    def _generation(self, conn: sqlite3.Connection) -> str:
        if self._pinned is not None:
            return self._pinned
        try:
            active = schema.active_generation(conn)
        except sqlite3.OperationalError as error:
            raise ReadStoreUnavailable(f"the read store is not initialised: {error}") from None
        if active is None:
            raise ReadStoreUnavailable("the read store has no active generation")
        return active

    # --- TalkSearch -------------------------------------------------------------------

    def ping(self) -> None:
        try:
            with self._pool.snapshot() as conn:
                g = self._generation(conn)
                conn.execute(f"SELECT 1 FROM {g}_talks LIMIT 1").fetchall()
        except sqlite3.Error as error:
            raise ReadStoreUnavailable(str(error)) from None

    def search_talks(self, query: TalkQuery) -> TalkPage:
        with self._pool.snapshot() as conn:
            return search_talks(conn, self._generation(conn), query)

    def get_talk(self, talk_id: str) -> TalkDocument | None:
        with self._pool.snapshot() as conn:
            return queries.get_visible_talk(conn, self._generation(conn), talk_id)

    def get_conference(self, conference_id: str) -> ConferenceDocument | None:
        with self._pool.snapshot() as conn:
            found = queries.load_conferences(conn, self._generation(conn), [conference_id])
        return found.get(conference_id)

    def talk_counts(self, conference_id: str) -> Mapping[str, int]:
        with self._pool.snapshot() as conn:
            return queries.talk_counts(conn, self._generation(conn), conference_id)

    def scheduled_talks(self, conference_id: str, day: date | None) -> Sequence[TalkDocument]:
        with self._pool.snapshot() as conn:
            return queries.scheduled_talks(conn, self._generation(conn), conference_id, day)

    def top_talks(self, query: TopTalksQuery) -> Sequence[TalkDocument]:
        with self._pool.snapshot() as conn:
            return queries.top_talks(conn, self._generation(conn), query)

    def speakers(self, query: SpeakerQuery) -> Sequence[SpeakerSummary]:
        with self._pool.snapshot() as conn:
            return queries.speakers(conn, self._generation(conn), query)

    def read_versions(self, refs: Collection[MarkRef]) -> dict[MarkRef, int]:
        with self._pool.snapshot() as conn:
            g = self._generation(conn)
            found = {
                documents: queries.documents_json(conn, g, documents, ids)
                for documents, ids in documents_to_read(refs).items()
            }
        return versions_in(refs, found)

    # --- ProjectionStore ------------------------------------------------------------

    @property
    def guards_documents(self) -> bool:
        """No: documents are loaded outside the write transaction; only the checkpoint's
        compare-and-set (the projector's fence) keeps two writers from losing updates."""
        return False

    def load_documents(
        self, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> LoadedDocuments:
        """One snapshot of both; no versions: the checkpoint's compare-and-set guards."""
        with self._pool.snapshot() as conn:
            g = self._generation(conn)
            return LoadedDocuments(
                talks=queries.load_talks(conn, g, talk_ids),
                conferences=queries.load_conferences(conn, g, conference_ids),
            )

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]:
        with self._pool.snapshot() as conn:
            return queries.load_talks(conn, self._generation(conn), ids)

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]:
        with self._pool.snapshot() as conn:
            return queries.load_conferences(conn, self._generation(conn), ids)

    def checkpoint(self, consumer: str) -> int:
        with self._pool.snapshot() as conn:
            g = self._generation(conn)
            row = conn.execute(
                f"SELECT position FROM {g}_checkpoints WHERE consumer = ?", (consumer,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def blocked_streams(self, streams: Iterable[str]) -> set[str]:
        wanted = list(set(streams))
        if not wanted:
            return set()
        with self._pool.snapshot() as conn:
            g = self._generation(conn)
            rows = conn.execute(
                f"SELECT DISTINCT stream FROM {g}_dead_letters "
                f"WHERE stream IN ({', '.join('?' * len(wanted))})",
                wanted,
            )
            return {str(r[0]) for r in rows}

    def write(self, batch: WriteBatch) -> None:
        with self._pool.transaction() as conn:
            g = self._generation(conn)
            if batch.checkpoint is not None:
                writer.advance_checkpoint(conn, g, batch.checkpoint)
            for conference in batch.conferences:
                writer.write_conference(conn, g, conference)
            for talk in batch.talks:
                writer.write_talk(conn, g, talk)
            for letter in batch.dead_letters:
                writer.write_dead_letter(conn, g, letter)
            conn.executemany(
                f"INSERT INTO {g}_applied_events (event_id) VALUES (?)",
                [(event_id,) for event_id in batch.applied_event_ids],
            )
            conn.executemany(
                f"DELETE FROM {g}_dead_letters WHERE id = ?",
                [(letter_id,) for letter_id in batch.resolved_dead_letters],
            )

    def applied_event_ids(self) -> list[str]:
        """The journal of applications, oldest first (an event applied twice shows twice)."""
        with self._pool.snapshot() as conn:
            g = self._generation(conn)
            rows = conn.execute(f"SELECT event_id FROM {g}_applied_events ORDER BY rowid")
            return [str(row[0]) for row in rows]

    def dead_letters(self) -> Sequence[DeadLetter]:
        with self._pool.snapshot() as conn:
            g = self._generation(conn)
            rows = conn.execute(
                f"SELECT position, event_id, event_type, stream, reason, envelope, attempts, id "
                f"FROM {g}_dead_letters ORDER BY id"
            ).fetchall()
        return [DeadLetter(*row) for row in rows]
