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
from query_service.read_store.sqlite.fields import FIELDS
from query_service.read_store.sqlite.fts_query import match_expression
from query_service.read_store.sqlite.writer import SPEAKER_SEPARATOR

MAX_FACET_VALUES = 50
MANY_MATCHES_SHARE = 6
"""Matches of more than a sixth of the talks are counted by scanning the keyword index
(measured crossover at 50,000 talks: about 1 in 6.5)."""
_MATCHES_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS search_matches (seq INTEGER PRIMARY KEY, score REAL)"
)
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


def _order(query: TalkQuery) -> tuple[_Key, ...]:
    sort = query.effective_sort
    if sort is TalkSort.RELEVANCE and not query.text:
        # Without a text every talk is equally relevant: fall back to the programme order.
        return _ORDERS[TalkSort.STARTS_AT]
    return _ORDERS[sort]


def _narrowing(g: str, query: TalkQuery, column: str, params: dict[str, Any]) -> list[str]:
    """``column IN (...)`` per asked keyword field, each served by the (field, value)
    index; tags give one clause each (all must match), other fields one of any value."""
    where = []
    for field in FIELDS:
        values = field.of_query(query)
        if not values:
            continue
        groups = [(v,) for v in values] if field.all_must_match else [values]
        for group in groups:
            n = len(params)
            params[f"f{n}"] = field.name
            params.update({f"v{n}_{i}": value for i, value in enumerate(group)})
            names = ", ".join(f":v{n}_{i}" for i in range(len(group)))
            where.append(
                f"{column} IN (SELECT seq FROM {g}_talk_fields "
                f"WHERE field = :f{n} AND value IN ({names}))"
            )
    return where


def _collect_matches(
    conn: sqlite3.Connection, g: str, query: TalkQuery, match: str | None, ranked: bool
) -> int:
    """Fills ``temp.search_matches`` with the matching talks (and their bm25 score when
    the page is ranked by it): the one pass over the matches that total, facets and the
    page all read. Returns the total."""
    conn.execute(_MATCHES_DDL)
    conn.execute("DELETE FROM temp.search_matches")
    params: dict[str, Any] = {}
    if match is None:
        # The keyword index finds the talks (by their rowid).
        source = f"SELECT seq, NULL FROM {g}_talks WHERE visible = 1"
        narrowing = _narrowing(g, query, "seq", params)
    else:
        # Only visible talks have FTS rows. "+rowid": the full-text match drives, the
        # keyword sets are probed; handing FTS5 each rowid re-runs the match per talk.
        params["match"] = match
        score = f"bm25({g}_talks_fts, {_BM25})" if ranked else "NULL"
        source = f"SELECT rowid, {score} FROM {g}_talks_fts WHERE {g}_talks_fts MATCH :match"
        narrowing = _narrowing(g, query, "+rowid", params)
    source = " AND ".join([source, *narrowing])
    conn.execute(f"INSERT INTO temp.search_matches (seq, score) {source}", params)
    return int(conn.execute("SELECT count(*) FROM temp.search_matches").fetchone()[0])


def _after(keys: tuple[_Key, ...], last: list[Any], params: dict[str, Any]) -> str:
    """``key > last`` for a tuple of mixed directions, as an OR of prefixes."""
    clauses = []
    for i, key in enumerate(keys):
        params[f"c{i}"] = last[i]
        equal = [f"{keys[j].expression} = :c{j}" for j in range(i)]
        compare = "<" if key.descending else ">"
        clauses.append(" AND ".join([*equal, f"{key.expression} {compare} :c{i}"]))
    return " OR ".join(f"({c})" for c in clauses)


def _facets(
    conn: sqlite3.Connection, g: str, total: int, everything: bool
) -> dict[str, list[FacetCount]]:
    """Every facet of the matches in one grouped pass over their keyword rows.

    The temp table has no statistics, so the planner cannot choose the join order; we
    know the total. A small share of the talks is looked up match by match; a large one
    is counted by scanning the keyword index in (field, value) order (no sort for the
    grouping) and probing the match set; every visible talk needs no probe at all."""
    facets = ", ".join(f"'{name}'" for name in FACET_FIELDS)
    if everything:
        source = f"{g}_talk_fields f WHERE f.field IN ({facets})"
    elif total * MANY_MATCHES_SHARE <= _talks(conn, g):
        source = f"temp.search_matches m CROSS JOIN {g}_talk_fields f ON f.seq = m.seq"
    else:
        source = (
            f"{g}_talk_fields f CROSS JOIN temp.search_matches m ON m.seq = f.seq "
            f"WHERE f.field IN ({facets})"
        )
    grouped: dict[str, list[FacetCount]] = {name: [] for name in FACET_FIELDS}
    rows = conn.execute(
        f"SELECT f.field, f.value, count(*) FROM {source} GROUP BY f.field, f.value"
    )
    for name, value, count in rows:
        if name in grouped:
            grouped[name].append(FacetCount(value=str(value), count=int(count)))
    for name, counts in grouped.items():
        counts.sort(key=lambda c: (-c.count, c.value))
        grouped[name] = counts[:MAX_FACET_VALUES]
    return grouped


def _talks(conn: sqlite3.Connection, g: str) -> int:
    """About how many talks there are, in one step (the last rowid)."""
    return int(conn.execute(f"SELECT coalesce(max(seq), 0) FROM {g}_talks").fetchone()[0])


def _page(
    conn: sqlite3.Connection, g: str, query: TalkQuery, keys: tuple[_Key, ...]
) -> tuple[list[tuple[int, str]], list[Any] | None]:
    """The page's talks in order (keys sorted alone, then only the page's documents read),
    and the sort key of its last talk when more follow."""
    params: dict[str, Any] = {"limit": query.size + 1}
    last = decode_cursor(query, len(keys))
    where = "" if last is None else f"WHERE {_after(keys, last, params)}"
    order = ", ".join(f"{k.expression} {'DESC' if k.descending else 'ASC'}" for k in keys)
    columns = ", ".join(k.expression for k in keys)
    rows = conn.execute(
        f"SELECT t.seq, {columns} FROM temp.search_matches m CROSS JOIN {g}_talks t "
        f"ON t.seq = m.seq {where} ORDER BY {order} LIMIT :limit",
        params,
    ).fetchall()
    page = rows[: query.size]
    seqs = [int(r[0]) for r in page]
    docs = dict(
        conn.execute(
            f"SELECT seq, doc FROM {g}_talks WHERE seq IN ({', '.join('?' * len(seqs))})", seqs
        ).fetchall()
    )
    more = list(page[-1][1:]) if len(rows) > query.size else None
    return [(seq, docs[seq]) for seq in seqs], more


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
    decode_cursor(query, len(keys))  # a bad cursor is refused before any work
    match = match_expression(conn, g, query.text) if query.text else None
    if query.text and match is None:
        return TalkPage(total=0, items=[], facets={n: [] for n in FACET_FIELDS}, next_cursor=None)
    total = _collect_matches(conn, g, query, match, ranked=keys is _ORDERS[TalkSort.RELEVANCE])
    everything = match is None and not any(f.of_query(query) for f in FIELDS)
    facets = _facets(conn, g, total, everything)
    page, last = _page(conn, g, query, keys)
    marks = _highlights(conn, g, match, [seq for seq, _ in page]) if match else {}
    items = [
        TalkHit(talk=talk_from_json(json.loads(doc)), highlight=marks.get(seq, {}))
        for seq, doc in page
    ]
    next_cursor = None if last is None else encode_cursor(query, last)
    return TalkPage(total=total, items=items, facets=facets, next_cursor=next_cursor)
