"""Document writes: talk rows with their search columns, FTS entries and speaker rows,
conference rows, dead letters and the consumer checkpoint, all inside the caller's
transaction."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from query_service.document_codec import conference_to_json, talk_from_json, talk_to_json
from query_service.documents import ConferenceDocument, TalkDocument
from query_service.read_store.port import Checkpoint, CheckpointMoved, DeadLetter
from query_service.read_store.sqlite.fields import field_rows
from query_service.read_store.text import speaker_key

__all__ = ["SPEAKER_SEPARATOR", "speaker_key"]

SPEAKER_SEPARATOR = " \u00b7 "
_MARKS = str.maketrans("", "", "\x02\x03")


def _epoch(value: str | None) -> float | None:
    return None if value is None else datetime.fromisoformat(value).timestamp()


def write_talk(conn: sqlite3.Connection, g: str, doc: TalkDocument) -> None:
    details, slot = doc.details, doc.slot
    visible = doc.is_visible
    row = conn.execute(
        f"""INSERT INTO {g}_talks (id, doc, visible, conference_id, status, level, format,
                language, tags, stage, day, starts_epoch, title_key, rating_average,
                rating_count, submitted_epoch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                doc = excluded.doc, visible = excluded.visible,
                conference_id = excluded.conference_id, status = excluded.status,
                level = excluded.level, format = excluded.format,
                language = excluded.language, tags = excluded.tags,
                stage = excluded.stage, day = excluded.day,
                starts_epoch = excluded.starts_epoch, title_key = excluded.title_key,
                rating_average = excluded.rating_average,
                rating_count = excluded.rating_count,
                submitted_epoch = excluded.submitted_epoch
            RETURNING seq""",
        (
            doc.id,
            json.dumps(talk_to_json(doc)),
            int(visible),
            details.conference_id if details else (slot.conference_id if slot else None),
            doc.status,
            details.level if details else None,
            details.format if details else None,
            details.language if details else None,
            json.dumps(list(details.tags) if details else []),
            slot.stage if slot else None,
            slot.day if slot else None,
            _epoch(slot.starts_at) if slot else None,
            details.title.casefold() if details else "",
            doc.rating.average,
            doc.rating.count,
            _epoch(doc.submitted_at) or 0.0,
        ),
    ).fetchone()
    seq = int(row[0])
    conn.execute(f"DELETE FROM {g}_talks_fts WHERE rowid = ?", (seq,))
    conn.execute(f"DELETE FROM {g}_words_fts WHERE rowid = ?", (seq,))
    conn.execute(f"DELETE FROM {g}_speakers WHERE talk_id = ?", (doc.id,))
    conn.execute(f"DELETE FROM {g}_talk_fields WHERE seq = ?", (seq,))
    if not visible or details is None:
        return
    conn.executemany(
        f"INSERT INTO {g}_talk_fields (seq, field, value) VALUES (?, ?, ?)",
        [(seq, name, value) for name, value in field_rows(doc)],
    )
    fields = (
        details.title.translate(_MARKS),
        SPEAKER_SEPARATOR.join(s.name for s in details.speakers).translate(_MARKS),
        details.abstract.translate(_MARKS),
        " ".join(details.tags),
    )
    conn.execute(
        f"INSERT INTO {g}_talks_fts (rowid, title, speakers, abstract, tags) "
        "VALUES (?, ?, ?, ?, ?)",
        (seq, *fields),
    )
    conn.execute(f"INSERT INTO {g}_words_fts (rowid, words) VALUES (?, ?)", (seq, " ".join(fields)))
    conn.executemany(
        f"INSERT INTO {g}_speakers (talk_id, conference_id, status, name_key, name, company) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (doc.id, details.conference_id, doc.status, speaker_key(s.name), s.name, s.company)
            for s in details.speakers
        ],
    )


def backfill_talk_fields(conn: sqlite3.Connection, g: str) -> int:
    """Fill the keyword table of a generation written before it existed (its talks are
    there, their keyword rows are not); returns how many talks were filled. A no-op on a
    generation that has them, or has no visible talk."""
    if conn.execute(f"SELECT 1 FROM {g}_talk_fields LIMIT 1").fetchone():
        return 0
    rows = conn.execute(f"SELECT seq, doc FROM {g}_talks WHERE visible = 1").fetchall()
    for seq, doc in rows:
        talk = talk_from_json(json.loads(doc))
        conn.executemany(
            f"INSERT INTO {g}_talk_fields (seq, field, value) VALUES (?, ?, ?)",
            [(seq, name, value) for name, value in field_rows(talk)],
        )
    return len(rows)


def write_conference(conn: sqlite3.Connection, g: str, doc: ConferenceDocument) -> None:
    conn.execute(
        f"INSERT INTO {g}_conferences (id, doc) VALUES (?, ?) "
        "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        (doc.id, json.dumps(conference_to_json(doc))),
    )


def write_dead_letter(conn: sqlite3.Connection, g: str, letter: DeadLetter) -> None:
    conn.execute(
        f"INSERT INTO {g}_dead_letters (position, event_id, event_type, stream, reason, "
        "envelope, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            letter.position,
            letter.event_id,
            letter.event_type,
            letter.stream,
            letter.reason,
            letter.envelope,
            letter.attempts,
        ),
    )


def advance_checkpoint(conn: sqlite3.Connection, g: str, checkpoint: Checkpoint) -> None:
    """Compare-and-set: only the replica that read from ``expected`` may move it."""
    conn.execute(
        f"INSERT INTO {g}_checkpoints (consumer, position) VALUES (?, 0) "
        "ON CONFLICT (consumer) DO NOTHING",
        (checkpoint.consumer,),
    )
    moved = conn.execute(
        f"UPDATE {g}_checkpoints SET position = ? WHERE consumer = ? AND position = ?",
        (checkpoint.position, checkpoint.consumer, checkpoint.expected),
    ).rowcount
    if moved != 1:
        raise CheckpointMoved(
            f"checkpoint of {checkpoint.consumer!r} is no longer at {checkpoint.expected}"
        )
