"""Lookups and aggregations of the SQLite read store besides the talk search."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date

from query_service.document_codec import (
    conference_from_json,
    talk_from_json,
)
from query_service.documents import ConferenceDocument, TalkDocument
from query_service.read_store.port import SpeakerQuery, SpeakerSummary, TopTalksQuery
from query_service.read_store.sqlite.writer import speaker_key
from service_conventions.json_types import JsonDict

SPEAKER_STATUSES = ("submitted", "accepted", "scheduled")
"""Speakers count talks still in the programme or its pipeline, not rejected or withdrawn."""


def load_talks(conn: sqlite3.Connection, g: str, ids: Iterable[str]) -> dict[str, TalkDocument]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(
        f"SELECT doc FROM {g}_talks WHERE id IN ({', '.join('?' * len(wanted))})", wanted
    )
    docs = (talk_from_json(json.loads(r[0])) for r in rows)
    return {d.id: d for d in docs}


def load_conferences(
    conn: sqlite3.Connection, g: str, ids: Iterable[str]
) -> dict[str, ConferenceDocument]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(
        f"SELECT doc FROM {g}_conferences WHERE id IN ({', '.join('?' * len(wanted))})", wanted
    )
    docs = (conference_from_json(json.loads(r[0])) for r in rows)
    return {d.id: d for d in docs}


def documents_json(
    conn: sqlite3.Connection, g: str, documents: str, ids: Sequence[str]
) -> dict[str, JsonDict]:
    """The stored JSON of some ``talks`` or ``conferences``, by id, undecoded."""
    if not ids:
        return {}
    table = {"talks": f"{g}_talks", "conferences": f"{g}_conferences"}[documents]
    rows = conn.execute(
        f"SELECT id, doc FROM {table} WHERE id IN ({', '.join('?' * len(ids))})", ids
    )
    return {str(id): json.loads(doc) for id, doc in rows}


def get_visible_talk(conn: sqlite3.Connection, g: str, talk_id: str) -> TalkDocument | None:
    row = conn.execute(
        f"SELECT doc FROM {g}_talks WHERE id = ? AND visible = 1", (talk_id,)
    ).fetchone()
    return None if row is None else talk_from_json(json.loads(row[0]))


def talk_counts(conn: sqlite3.Connection, g: str, conference_id: str) -> dict[str, int]:
    rows = conn.execute(
        f"SELECT status, count(*) FROM {g}_talks WHERE conference_id = ? AND visible = 1 "
        "GROUP BY status ORDER BY status",
        (conference_id,),
    )
    return {str(status): int(count) for status, count in rows}


def scheduled_talks(
    conn: sqlite3.Connection, g: str, conference_id: str, day: date | None
) -> list[TalkDocument]:
    params: list[str] = [conference_id]
    day_filter = ""
    if day is not None:
        day_filter = "AND day = ?"
        params.append(day.isoformat())
    rows = conn.execute(
        f"SELECT doc FROM {g}_talks WHERE conference_id = ? AND visible = 1 "
        f"AND status = 'scheduled' {day_filter} ORDER BY starts_epoch, stage, id",
        params,
    )
    return [talk_from_json(json.loads(r[0])) for r in rows]


def top_talks(conn: sqlite3.Connection, g: str, query: TopTalksQuery) -> list[TalkDocument]:
    params: list[str | int] = [query.conference_id, query.min_ratings]
    day_filter = ""
    if query.day is not None:
        day_filter = "AND day = ?"
        params.append(query.day.isoformat())
    params.append(query.limit)
    rows = conn.execute(
        f"SELECT doc FROM {g}_talks WHERE conference_id = ? AND visible = 1 "
        f"AND status = 'scheduled' AND rating_count >= ? {day_filter} "
        "ORDER BY rating_average DESC, rating_count DESC, starts_epoch, id LIMIT ?",
        params,
    )
    return [talk_from_json(json.loads(r[0])) for r in rows]


def speakers(conn: sqlite3.Connection, g: str, query: SpeakerQuery) -> list[SpeakerSummary]:
    where = [f"status IN ({', '.join('?' * len(SPEAKER_STATUSES))})"]
    params: list[str] = list(SPEAKER_STATUSES)
    if query.conference_id is not None:
        where.append("conference_id = ?")
        params.append(query.conference_id)
    if query.text:
        where.append("instr(name_key, ?) > 0")
        params.append(speaker_key(query.text))
    rows = conn.execute(
        f"SELECT name_key, min(name), count(DISTINCT talk_id), "
        "json_group_array(DISTINCT company) "
        f"FROM {g}_speakers WHERE {' AND '.join(where)} GROUP BY name_key ORDER BY name_key",
        params,
    )
    return [
        SpeakerSummary(
            name=str(name),
            companies=tuple(sorted(c for c in json.loads(companies) if c)),
            talk_count=int(count),
        )
        for _, name, count, companies in rows
    ]
