"""Talk search over the SQLite read store: filters, FTS5 ranking, facets, keyset pages."""

from __future__ import annotations

import html
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from query_service.document_codec import talk_from_json
from query_service.read_store.cursor import decode_cursor, encode_cursor
from query_service.read_store.port import (
    FACET_FIELDS,
    FacetCount,
    TalkHit,
    TalkPage,
    TalkQuery,
    TalkSort,
)
from query_service.read_store.sqlite.fts_query import match_expression
from query_service.read_store.sqlite.writer import SPEAKER_SEPARATOR

MAX_FACET_VALUES = 50
SNIPPET_TOKENS = 24
_OPEN, _CLOSE = "\x02", "\x03"
# bm25 weights follow the FTS column order: title, speakers, abstract, tags.
_BM25 = "3.0, 2.0, 1.0, 1.0"


@dataclass(frozen=True)
class _Key:
    expression: str
    descending: bool = False


# Every order ends with the id, so sort keys are unique and keyset paging is exact.
_ORDERS: dict[TalkSort, tuple[_Key, ...]] = {
    TalkSort.RELEVANCE: (_Key("m.score"), _Key("t.id")),
    TalkSort.RATING: (
        _Key("t.rating_average", descending=True),
        _Key("t.rating_count", descending=True),
        _Key("t.id"),
    ),
    TalkSort.STARTS_AT: (
        _Key("(t.starts_epoch IS NULL)"),
        _Key("coalesce(t.starts_epoch, 0)"),
        _Key("t.id"),
    ),
    TalkSort.NEWEST: (_Key("t.submitted_epoch", descending=True), _Key("t.id")),
    TalkSort.TITLE: (_Key("t.title_key"), _Key("t.id")),
}

_FACET_COLUMNS = {
    "level": "level",
    "format": "format",
    "language": "language",
    "status": "status",
    "stage": "stage",
    "day": "day",
}


def _order(query: TalkQuery) -> tuple[_Key, ...]:
    sort = query.effective_sort
    if sort is TalkSort.RELEVANCE and not query.text:
        # Without a text every talk is equally relevant: fall back to the programme order.
        return _ORDERS[TalkSort.STARTS_AT]
    return _ORDERS[sort]


def _any_of(column: str, name: str, values: tuple[str, ...], params: dict[str, Any]) -> str:
    names = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        names.append(f":{name}{i}")
    return f"t.{column} IN ({', '.join(names)})"


def _filters(query: TalkQuery, params: dict[str, Any]) -> list[str]:
    where = ["t.visible = 1"]
    if query.conference_id is not None:
        params["conference_id"] = query.conference_id
        where.append("t.conference_id = :conference_id")
    for i, tag in enumerate(query.tags):
        params[f"tag{i}"] = tag
        where.append(f"EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = :tag{i})")
    for column, name, values in (
        ("level", "level", query.levels),
        ("format", "format", query.formats),
        ("language", "language", query.languages),
        ("status", "status", query.statuses),
        ("stage", "stage", query.stages),
        ("day", "day", tuple(d.isoformat() for d in query.days)),
    ):
        if values:
            where.append(_any_of(column, name, values, params))
    return where


def _base(
    g: str, query: TalkQuery, keys: tuple[_Key, ...], match: str | None
) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    where = _filters(query, params)
    columns = ", ".join(f"{k.expression} AS k{i}" for i, k in enumerate(keys))
    if match is None:
        sql = f"WITH base AS (SELECT t.*, {columns} FROM {g}_talks t WHERE {' AND '.join(where)})"
        return sql, params
    params["match"] = match
    sql = (
        f"WITH m AS (SELECT rowid AS seq, bm25({g}_talks_fts, {_BM25}) AS score "
        f"FROM {g}_talks_fts WHERE {g}_talks_fts MATCH :match), "
        f"base AS (SELECT t.*, {columns} FROM {g}_talks t JOIN m ON m.seq = t.seq "
        f"WHERE {' AND '.join(where)})"
    )
    return sql, params


def _after(keys: tuple[_Key, ...], last: list[Any], params: dict[str, Any]) -> str:
    """``key > last`` for a tuple of mixed directions, as an OR of prefixes."""
    clauses = []
    for i, key in enumerate(keys):
        params[f"c{i}"] = last[i]
        equal = [f"k{j} = :c{j}" for j in range(i)]
        clauses.append(" AND ".join([*equal, f"k{i} {'<' if key.descending else '>'} :c{i}"]))
    return " OR ".join(f"({c})" for c in clauses)


def _facets(
    conn: sqlite3.Connection, base: str, params: dict[str, Any]
) -> tuple[int, dict[str, list[FacetCount]]]:
    parts = [
        f"SELECT '{name}', {column}, count(*) FROM base WHERE {column} IS NOT NULL "
        f"GROUP BY {column}"
        for name, column in _FACET_COLUMNS.items()
    ]
    parts.append(
        "SELECT 'tag', j.value, count(*) FROM base, json_each(base.tags) j GROUP BY j.value"
    )
    parts.append("SELECT '_total', NULL, count(*) FROM base")
    grouped: dict[str, list[FacetCount]] = {name: [] for name in FACET_FIELDS}
    total = 0
    for name, value, count in conn.execute(f"{base} {' UNION ALL '.join(parts)}", params):
        if name == "_total":
            total = int(count)
        else:
            grouped[name].append(FacetCount(value=str(value), count=int(count)))
    for name, counts in grouped.items():
        counts.sort(key=lambda c: (-c.count, c.value))
        grouped[name] = counts[:MAX_FACET_VALUES]
    return total, grouped


def _marked(text: str) -> str:
    return html.escape(text).replace(_OPEN, "<em>").replace(_CLOSE, "</em>")


def _highlights(
    conn: sqlite3.Connection, g: str, match: str, seqs: list[int]
) -> dict[int, dict[str, list[str]]]:
    if not seqs:
        return {}
    marks = f"'{_OPEN}', '{_CLOSE}'"
    rows = conn.execute(
        f"SELECT rowid, highlight({g}_talks_fts, 0, {marks}), "
        f"highlight({g}_talks_fts, 1, {marks}), "
        f"snippet({g}_talks_fts, 2, {marks}, '\u2026', {SNIPPET_TOKENS}), "
        f"highlight({g}_talks_fts, 3, {marks}) "
        f"FROM {g}_talks_fts WHERE {g}_talks_fts MATCH ? "
        f"AND rowid IN ({', '.join('?' * len(seqs))})",
        [match, *seqs],
    )
    result: dict[int, dict[str, list[str]]] = {}
    for seq, title, speakers, abstract, tags in rows:
        fields = {
            "title": [title],
            "speakers": str(speakers).split(SPEAKER_SEPARATOR),
            "abstract": [abstract],
            "tags": str(tags).split(" "),
        }
        result[int(seq)] = {
            name: [_marked(v) for v in values if _OPEN in v]
            for name, values in fields.items()
            if any(_OPEN in v for v in values)
        }
    return result


def search_talks(conn: sqlite3.Connection, g: str, query: TalkQuery) -> TalkPage:
    keys = _order(query)
    last = decode_cursor(query, len(keys))
    match = match_expression(conn, g, query.text) if query.text else None
    if query.text and match is None:
        return TalkPage(total=0, items=[], facets={n: [] for n in FACET_FIELDS}, next_cursor=None)
    base, params = _base(g, query, keys, match)
    total, facets = _facets(conn, base, params)
    page_params = dict(params)
    where = "" if last is None else f"WHERE {_after(keys, last, page_params)}"
    order = ", ".join(f"k{i} {'DESC' if k.descending else 'ASC'}" for i, k in enumerate(keys))
    key_columns = ", ".join(f"k{i}" for i in range(len(keys)))
    rows = conn.execute(
        f"{base} SELECT seq, doc, {key_columns} FROM base {where} ORDER BY {order} LIMIT :limit",
        {**page_params, "limit": query.size + 1},
    ).fetchall()
    page = rows[: query.size]
    next_cursor = encode_cursor(query, list(page[-1][2:])) if len(rows) > query.size else None
    marks = _highlights(conn, g, match, [int(r[0]) for r in page]) if match else {}
    items = [
        TalkHit(talk=talk_from_json(json.loads(r[1])), highlight=marks.get(int(r[0]), {}))
        for r in page
    ]
    return TalkPage(total=total, items=items, facets=facets, next_cursor=next_cursor)
