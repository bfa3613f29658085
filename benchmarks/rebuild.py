"""The rebuild's figures, each beside a ceiling measured in the same run.

For each shape (the embedded SQLite files; PostgreSQL with OpenSearch; PostgreSQL with
Elasticsearch) it writes ``--talks`` submitted talks through the real unit of work, fills
the serving generation with one rebuild, then runs ``--runs`` rebuilds with ``--verify``
of every document and reports the medians:

- replay, events/s: the rebuild's fill and catch-up (decoding, projecting, the version
  guards, the checkpoint, the position horizon) beside a raw read of the outbox in
  batches plus a raw write of the same documents (SQLite: ``executemany`` into a plain
  table; search engines: ``_bulk`` into an index with the read store's mapping);
- switch, ms: ``activate_generation`` beside one raw pointer update (SQLite) or one raw
  ``_aliases`` call (search engines);
- verify, s: comparing every document of both generations beside raw reads of both
  (SQLite ``SELECT doc``; search engines ``_mget``).

Run (the services of ``tests/services.py``, ``TEST_POSTGRES_URL`` and so on):

    .venv/bin/python -m benchmarks.rebuild [--talks 5000] [--runs 2]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import sqlalchemy as sa

from benchmarks.ceilings.raw_bulk import bulk_ingest, create_talks_index, every_source
from benchmarks.results_file import Row, write
from command_service.adapters.engine import create_engine_for
from command_service.adapters.unit_of_work import SqlUnitOfWork
from command_service.migrate import upgrade
from query_service.bootstrap import build_read_store
from query_service.read_store.search_engine import SearchEngineReadStore
from query_service.read_store.search_engine.naming import IndexNames
from query_service.read_store.sqlite.schema import META_DDL, generation_ddl
from query_service.rebuild import Outcome, Verification, rebuild_read_models
from query_service.settings import QuerySettings
from shared_domain.talk import Talk
from tests.integration.conftest import new_conference, trace
from tests.services import (
    elasticsearch_url,
    opensearch_url,
    postgres_server_url,
    random_index_prefix,
    temporary_postgres_database,
)
from tests.unit.command.builders import details

PER_TRANSACTION = 100


def say(message: str) -> None:
    print(message, flush=True)


@dataclass(frozen=True)
class Shape:
    name: str
    settings: QuerySettings
    search: httpx.Client | None
    """The search engine's HTTP API, for the raw ceilings (None: SQLite)."""


def load(database_url: str, talks: int) -> tuple[list[str], list[str]]:
    """``talks`` submitted talks in 10 conferences, written through the unit of work."""
    engine = create_engine_for(database_url)
    conferences = [new_conference(name=f"Conference {i}") for i in range(10)]
    talk_ids: list[str] = []
    try:
        with SqlUnitOfWork(engine, trace()) as uow:
            for conference in conferences:
                uow.conferences.add(conference)
            uow.commit()
        for start in range(0, talks, PER_TRANSACTION):
            with SqlUnitOfWork(engine, trace()) as uow:
                for number in range(start, min(talks, start + PER_TRANSACTION)):
                    talk = Talk.submit(str(uuid.uuid4()), conferences[number % 10].id, details())
                    uow.talks.add(talk)
                    talk_ids.append(talk.id)
                uow.commit()
    finally:
        engine.dispose()
    return talk_ids, [c.id for c in conferences]


def measure(shape: Shape, talks: int, runs: int, rows: list[Row]) -> None:
    talk_ids, conference_ids = load(shape.settings.database_url, talks)
    say(f"{shape.name}: {talks:,} talks written; filling the serving generation")
    first = rebuild_read_models(shape.settings, threading.Event())
    assert first.switched, first
    verification = Verification(talk_ids, conference_ids, grace_seconds=0)
    outcomes: list[Outcome] = []
    for run in range(runs):
        outcome = rebuild_read_models(shape.settings, threading.Event(), verification=verification)
        report = outcome.verified
        if not outcome.switched or report is None or not report.equal:
            raise RuntimeError(f"the rebuild did not verify and switch: {outcome}")
        say(
            f"  run {run + 1}: {outcome.events / outcome.replay_seconds:,.0f} events/s, "
            f"switch {outcome.switch_seconds * 1000:.1f} ms, verify {report.seconds:.2f} s"
        )
        outcomes.append(outcome)
    rebuilt = outcomes[-1].generation
    ceilings = [_ceilings(shape, rebuilt, first.generation) for _ in range(runs)]
    events = outcomes[-1].events
    replay = statistics.median(o.events / o.replay_seconds for o in outcomes)
    raw_replay = statistics.median(events / (c.read + c.write) for c in ceilings)
    switch = statistics.median(o.switch_seconds for o in outcomes) * 1000
    raw_switch = statistics.median(c.switch for c in ceilings) * 1000
    verify = statistics.median(o.verified.seconds for o in outcomes if o.verified)
    raw_verify = statistics.median(c.verify for c in ceilings)
    rows.append(
        Row(
            shape.name,
            f"replay of {events:,} events",
            replay,
            raw_replay,
            "events/s",
            "higher",
            None,
            "raw outbox read + raw write of the documents",
        )
    )
    rows.append(
        Row(
            shape.name,
            "switch-over",
            switch,
            raw_switch,
            "ms",
            "lower",
            None,
            "one raw pointer or alias update",
        )
    )
    rows.append(
        Row(
            shape.name,
            f"verify of {len(talk_ids) + len(conference_ids):,} documents",
            verify,
            raw_verify,
            "s",
            "lower",
            None,
            "raw reads of both generations",
        )
    )


@dataclass(frozen=True)
class Ceilings:
    read: float
    write: float
    switch: float
    verify: float


def _ceilings(shape: Shape, rebuilt: str, other: str) -> Ceilings:
    read = _raw_outbox_read(shape.settings.database_url, shape.settings.projector_batch_size)
    if shape.search is None:
        return _sqlite_ceilings(shape, read, rebuilt, other)
    return _engine_ceilings(shape, shape.search, read, rebuilt, other)


def _raw_outbox_read(database_url: str, batch: int) -> float:
    """Every envelope in position order, ``batch`` at a time, over the same driver."""
    engine = create_engine_for(database_url)
    query = sa.text(
        "SELECT position, envelope FROM outbox WHERE position > :after "
        "ORDER BY position LIMIT :limit"
    )
    try:
        started = time.perf_counter()
        after = 0
        with engine.connect() as connection:
            while rows := connection.execute(query, {"after": after, "limit": batch}).all():
                after = rows[-1][0]
        return time.perf_counter() - started
    finally:
        engine.dispose()


SQLITE_TABLES = ("talks", "talks_fts", "words_fts", "speakers", "conferences")
"""The tables a generation's documents live in (the FTS5 ones are the indexing work)."""


def _sqlite_ceilings(shape: Shape, read: float, rebuilt: str, other: str) -> Ceilings:
    """The rebuilt generation's rows, copied with ``executemany`` in batches into empty
    tables of the same schema in a file of the same settings: the engine's share."""
    path = shape.settings.search_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = {
            t: conn.execute(f"SELECT rowid, * FROM {rebuilt}_{t}").fetchall() for t in SQLITE_TABLES
        }
        ids = [row[2] for row in rows["talks"]]  # rowid, seq, id, ...
    batch = shape.settings.projector_batch_size
    with tempfile.TemporaryDirectory() as folder, sqlite3.connect(Path(folder) / "raw.db") as raw:
        raw.execute("PRAGMA journal_mode = WAL")  # as the read store's own file
        raw.execute("PRAGMA synchronous = NORMAL")
        for statement in [META_DDL, *generation_ddl("g1")]:
            raw.execute(statement)
        raw.execute("INSERT INTO meta VALUES ('active_generation', 'g1')")
        raw.commit()
        started = time.perf_counter()
        for table, table_rows in rows.items():
            if not table_rows:
                continue
            marks = ",".join("?" * len(table_rows[0]))
            insert = f"INSERT INTO g1_{table} ({_columns(raw, table)}) VALUES ({marks})"
            for offset in range(0, len(table_rows), batch):
                raw.executemany(insert, table_rows[offset : offset + batch])
                raw.commit()
        write_seconds = time.perf_counter() - started
        started = time.perf_counter()
        raw.execute("UPDATE meta SET value = 'g2' WHERE key = 'active_generation'")
        raw.commit()
        switch = time.perf_counter() - started
    with sqlite3.connect(path) as conn:
        started = time.perf_counter()
        for generation in (rebuilt, other):
            for offset in range(0, len(ids), 500):
                chunk = ids[offset : offset + 500]
                marks = ",".join("?" * len(chunk))
                conn.execute(
                    f"SELECT id, doc FROM {generation}_talks WHERE id IN ({marks})", chunk
                ).fetchall()
        verify = time.perf_counter() - started
    return Ceilings(read, write_seconds, switch, verify)


def _columns(conn: sqlite3.Connection, table: str) -> str:
    names = [row[1] for row in conn.execute(f"PRAGMA table_info(g1_{table})")]
    return ", ".join(["rowid", *names])


def _engine_ceilings(
    shape: Shape, search: httpx.Client, read: float, rebuilt: str, other: str
) -> Ceilings:
    names = IndexNames(shape.settings.search_index_prefix)
    documents = every_source(search, names.index("talks", rebuilt))
    scratch = f"{shape.settings.search_index_prefix}ceiling-{uuid.uuid4().hex[:8]}"
    create_talks_index(search, scratch, replicas=0)
    create_talks_index(search, f"{scratch}-b", replicas=0)
    try:
        write_seconds = bulk_ingest(
            search, scratch, documents, chunk=shape.settings.projector_batch_size
        ).seconds
        search.post(
            "/_aliases", json={"actions": [{"add": {"index": scratch, "alias": f"{scratch}-a"}}]}
        ).raise_for_status()
        started = time.perf_counter()
        search.post(
            "/_aliases",
            json={
                "actions": [
                    {"remove": {"index": scratch, "alias": f"{scratch}-a"}},
                    {"add": {"index": f"{scratch}-b", "alias": f"{scratch}-a"}},
                ]
            },
        ).raise_for_status()
        switch = time.perf_counter() - started
    finally:
        search.delete(f"/{scratch},{scratch}-b").raise_for_status()
    ids = [str(d["id"]) for d in documents]
    started = time.perf_counter()
    for generation in (rebuilt, other):
        for start in range(0, len(ids), 500):
            search.post(
                f"/{names.index('talks', generation)}/_mget", json={"ids": ids[start : start + 500]}
            ).raise_for_status()
    verify = time.perf_counter() - started
    return Ceilings(read, write_seconds, switch, verify)


@contextmanager
def embedded() -> Iterator[Shape]:
    with tempfile.TemporaryDirectory() as folder:
        command = f"sqlite:///{Path(folder) / 'command.db'}"
        upgrade(command)
        query = f"sqlite:///{Path(folder) / 'query.db'}"
        yield Shape(
            "embedded (SQLite)", QuerySettings(database_url=command, search_url=query), None
        )


@contextmanager
def distributed(
    engine: Literal["opensearch", "elasticsearch"], url: Callable[[], str]
) -> Iterator[Shape]:
    prefix = random_index_prefix()
    with (
        temporary_postgres_database(postgres_server_url()) as command,
        httpx.Client(base_url=url(), timeout=60) as search,
    ):
        upgrade(command)
        settings = QuerySettings(
            database_url=command,
            search_engine=engine,
            search_url=url(),
            search_index_prefix=prefix,
            search_index_replicas=0,
        )
        try:
            yield Shape(f"PostgreSQL + {engine}", settings, search)
        finally:
            store = build_read_store(settings)
            assert isinstance(store, SearchEngineReadStore)
            store.drop()
            store.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--talks", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--shapes", nargs="*", default=["sqlite", "opensearch", "elasticsearch"])
    args = parser.parse_args(argv)
    rows: list[Row] = []
    shapes: dict[str, Callable[[], AbstractContextManager[Shape]]] = {
        "sqlite": embedded,
        "opensearch": lambda: distributed("opensearch", opensearch_url),
        "elasticsearch": lambda: distributed("elasticsearch", elasticsearch_url),
    }
    for name in args.shapes:
        with shapes[name]() as shape:
            measure(shape, args.talks, args.runs, rows)
    notes = [
        f"{args.talks:,} talks submitted in 10 conferences; medians of {args.runs} rebuilds, "
        "each verifying every document before its switch-over.",
        "The replay's ceiling reads the outbox and writes the projected documents with none "
        "of the projector's work (decoding, loading current documents, version guards, "
        "journal, checkpoint, the position horizon's round trips).",
    ]
    say(write("rebuild", rows, notes).read_text())


if __name__ == "__main__":
    main()
