"""Totals, facets and cursor walks against a brute-force reading of the same documents.

Random talks (a small vocabulary no stemmer changes, so a word matches where it is
written) and random combinations of text and filters: every adapter must count exactly
what a plain loop over the documents counts, and a cursor walk in each sort must visit
every match once, in the sort's order. A redesign of how matches, facets or pages are
computed that drops, doubles or miscounts a talk fails here.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from query_service.documents import TalkDocument
from query_service.read_store.port import FACET_FIELDS, TalkQuery, TalkSort, WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from query_service.read_store.sqlite import search as sqlite_search
from tests.contract.read_store.documents import conference, new_id, talk

WORDS = ("alpha", "kilo", "tango", "zulu", "oscar")
TAGS = ("rust", "go", "ml", "web", "data-eng")
LEVELS = ("beginner", "intermediate", "advanced")
FORMATS = ("talk", "lightning", "workshop")
LIFECYCLES = ("submitted", "accepted", "rejected", "withdrawn")
STAGES = ("Main", "Side")
DAYS = ("2025-05-01", "2025-05-02")
TALKS = 90
QUERIES = 40


def _corpus(rng: random.Random, conferences: tuple[str, str]) -> list[TalkDocument]:
    docs = []
    for index in range(TALKS):
        lifecycle = rng.choice(LIFECYCLES)
        slot = None
        if lifecycle == "accepted" and rng.random() < 0.7:
            day = rng.choice(DAYS)
            slot = (rng.choice(STAGES), f"{day}T{8 + rng.randrange(8):02d}:00:00+00:00", day)
        count = rng.randrange(4)
        docs.append(
            talk(
                rng.choice(conferences),
                title=f"Talk {rng.choice(WORDS)} number {index}",
                abstract=" ".join(rng.sample(WORDS, rng.randint(0, 3))),
                tags=tuple(rng.sample(TAGS, rng.randint(0, 3))),
                level=rng.choice(LEVELS),
                format=rng.choice(FORMATS),
                lifecycle=lifecycle,
                submitted_at=f"2025-01-{1 + rng.randrange(28):02d}T10:00:00+00:00",
                slot=slot,
                rating=(count, sum(rng.randint(1, 5) for _ in range(count))),
            )
        )
    return docs


def _query(rng: random.Random, conferences: tuple[str, str]) -> TalkQuery:
    def some(values: tuple[str, ...], most: int) -> tuple[str, ...]:
        return tuple(rng.sample(values, rng.randint(1, most))) if rng.random() < 0.3 else ()

    text = " ".join(rng.sample(WORDS, rng.randint(1, 2))) if rng.random() < 0.5 else None
    return TalkQuery(
        text=text,
        conference_id=rng.choice(conferences) if rng.random() < 0.2 else None,
        tags=some(TAGS, 2),
        levels=some(LEVELS, 2),
        formats=some(FORMATS, 2),
        statuses=some(("submitted", "accepted", "scheduled", "rejected"), 2),
        stages=some(STAGES, 1),
        days=tuple(date.fromisoformat(d) for d in some(DAYS, 1)),
        size=7,
    )


def _values(doc: TalkDocument) -> dict[str, tuple[str, ...]]:
    assert doc.details is not None
    assert doc.status is not None
    slot = doc.slot
    return {
        "tag": doc.details.tags,
        "level": (doc.details.level,),
        "format": (doc.details.format,),
        "language": (doc.details.language,),
        "status": (doc.status,),
        "stage": (slot.stage,) if slot else (),
        "day": (slot.day,) if slot else (),
    }


def _matches(doc: TalkDocument, query: TalkQuery) -> bool:
    assert doc.details is not None
    values = _values(doc)
    text = f"{doc.details.title} {doc.details.abstract}".split()
    asked = {
        "level": query.levels,
        "language": query.languages,
        "format": query.formats,
        "status": query.statuses,
        "stage": query.stages,
        "day": tuple(d.isoformat() for d in query.days),
    }
    return (
        all(word in text for word in (query.text or "").split())
        and query.conference_id in (None, doc.details.conference_id)
        and all(tag in values["tag"] for tag in query.tags)
        and all(not wanted or set(wanted) & set(values[f]) for f, wanted in asked.items())
    )


def _facets(matching: list[TalkDocument]) -> dict[str, dict[str, int]]:
    counted: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
    for doc in matching:
        for name, values in _values(doc).items():
            counted[name].update(values)
    return {name: dict(counts) for name, counts in counted.items()}


_ORDER: dict[TalkSort, Callable[[TalkDocument], Any]] = {
    TalkSort.RATING: lambda d: (-d.rating.average, -d.rating.count, d.id),
    TalkSort.STARTS_AT: lambda d: (d.slot is None, d.slot.starts_at if d.slot else "", d.id),
    TalkSort.NEWEST: lambda d: (-date.fromisoformat(d.submitted_at[:10]).toordinal(), d.id),  # type: ignore[index]
    TalkSort.TITLE: lambda d: (d.details.title.casefold(), d.id),  # type: ignore[union-attr]
}


def _walk(store: Any, query: TalkQuery) -> list[str]:
    ids: list[str] = []
    page = store.search_talks(query)
    ids += [hit.talk.id for hit in page.items]
    while page.next_cursor is not None:
        page = store.search_talks(TalkQuery(**{**vars(query), "cursor": page.next_cursor}))
        ids += [hit.talk.id for hit in page.items]
        assert len(ids) <= TALKS, "the walk does not end"
    return ids


@pytest.fixture
def corpus(read_store: Any) -> tuple[tuple[str, str], list[TalkDocument]]:
    return _fill(read_store)


def test_totals_and_facets_match_a_brute_force_count(
    read_store: Any, corpus: tuple[tuple[str, str], list[TalkDocument]]
) -> None:
    _check_counts(read_store, corpus)


@pytest.mark.parametrize("share", [0, 10**9], ids=["index-scan", "match-by-match"])
def test_sqlite_counts_the_same_with_either_facet_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: int
) -> None:
    """SQLite picks how to count facets by the matches' share of all talks; both plans
    must count what the loop counts, whatever the share."""
    monkeypatch.setattr(sqlite_search, "MANY_MATCHES_SHARE", share)
    store = SqliteReadStore(tmp_path / "query.db")
    store.initialize()
    try:
        _check_counts(store, _fill(store))
    finally:
        store.close()


def test_sqlite_fills_the_keyword_table_of_an_older_file(tmp_path: Path) -> None:
    """A file written before ``talk_fields`` existed has talks but no keyword rows:
    initialising fills them, so its filters and facets count every talk."""
    store = SqliteReadStore(tmp_path / "query.db")
    store.initialize()
    filled = _fill(store)
    with sqlite3.connect(tmp_path / "query.db") as conn:
        conn.execute("DELETE FROM g1_talk_fields")
    store.close()
    reopened = SqliteReadStore(tmp_path / "query.db")
    reopened.initialize()
    try:
        _check_counts(reopened, filled)
    finally:
        reopened.close()


def _fill(store: Any) -> tuple[tuple[str, str], list[TalkDocument]]:
    conferences = (new_id("conf"), new_id("conf"))
    store.write(WriteBatch(conferences=[conference(c) for c in conferences]))
    docs = _corpus(random.Random(10), conferences)
    store.write(WriteBatch(talks=docs))
    return conferences, docs


def _check_counts(read_store: Any, corpus: tuple[tuple[str, str], list[TalkDocument]]) -> None:
    conferences, docs = corpus
    rng = random.Random(11)
    for _ in range(QUERIES):
        query = _query(rng, conferences)
        matching = [d for d in docs if _matches(d, query)]
        page = read_store.search_talks(query)
        assert page.total == len(matching), query
        got = {name: {c.value: c.count for c in counts} for name, counts in page.facets.items()}
        assert got == _facets(matching), query


@pytest.mark.parametrize("sort", [*_ORDER, TalkSort.RELEVANCE])
def test_a_cursor_walk_visits_every_match_once_in_order(
    read_store: Any, corpus: tuple[tuple[str, str], list[TalkDocument]], sort: TalkSort
) -> None:
    conferences, docs = corpus
    rng = random.Random(12)
    for _ in range(6):
        query = TalkQuery(**{**vars(_query(rng, conferences)), "sort": sort})
        if sort is TalkSort.RELEVANCE:
            query = TalkQuery(**{**vars(query), "text": query.text or "alpha"})
        matching = [d for d in docs if _matches(d, query)]
        walked = _walk(read_store, query)
        assert sorted(walked) == sorted(d.id for d in matching), query
        if sort in _ORDER:
            assert walked == [d.id for d in sorted(matching, key=_ORDER[sort])], query
