"""Search latency at scale: each query type through the search API beside the engine's floor.

Loads ``--talks`` synthetic talks (``benchmarks/search_corpus.py``) straight through the
read store's write port (no HTTP, no events: the projector is not what is measured), then
serves two processes over the same talks, each one uvicorn worker:

- the search API (``create_api`` over the read store), what users call;
- the floor: a bare Starlette endpoint doing the least the engine must do for the same
  answer. On SQLite: the FTS5 bm25 top-k (or the filtered, sorted top-k) with the page's
  documents plus one facet ``GROUP BY`` over the matches, as bare SQL on the same file. On
  OpenSearch: the adapter's own request body sent straight to the engine, and the same
  body against a copy of the index on the default BM25 similarity
  (``benchmarks/search_engine_floor.py``).

They are called alternately, one request at a time over kept-alive loopback connections,
so noise from the shared machine falls on both. Each row is the API's p50 or p99 beside
the floor's, with issue 10's target for the p99 (3x on SQLite, 1.5x on OpenSearch), and
the query API's resident memory after the run. Run:

    .venv/bin/python -m benchmarks.search_latency [--talks 50000] [--samples 100]
        [--engine sqlite,opensearch] [--opensearch-url http://127.0.0.1:9200]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from benchmarks import search_corpus as corpus
from benchmarks import search_engine_floor as engine_floor
from benchmarks.processes import rss_mb
from benchmarks.results_file import Row, percentile, write
from query_service.read_store.port import ReadStore, TalkQuery, TalkSort, TopTalksQuery, WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from tests.e2e.conftest import free_port, wait_until

CURSOR_KEY = b"search-latency-benchmark"
PAGE = 20
SQLITE_TARGET = 3.0
ENGINE_TARGET = 1.5
_BM25 = "bm25({g}_talks_fts, 3.0, 2.0, 1.0, 1.0)"
_FACET = "SELECT t.level, count(*) FROM {source} WHERE {where} GROUP BY t.level"


@dataclass(frozen=True)
class Case:
    """One query type: the API request, and the floor's statements for the same answer."""

    name: str
    path: str
    params: list[tuple[str, str | int | float | bool | None]] = field(default_factory=list)
    floor: tuple[str, ...] = ()
    floor_params: dict[str, Any] = field(default_factory=dict)
    query: TalkQuery | TopTalksQuery | str | None = None
    """What the API asks the read store (a talk search, top talks, a talk's id): the
    search engines' floor sends the same request body straight to the engine."""


def _text_floor(match: str, after: bool = False) -> tuple[str, ...]:
    """bm25 top-k with the page's documents, and one facet over the matches."""
    keyset = "WHERE m.s > :s OR (m.s = :s AND m.seq > :r)" if after else ""
    return (
        f"SELECT t.doc FROM (SELECT rowid AS seq, {_BM25} AS s FROM {{g}}_talks_fts "
        f"WHERE {{g}}_talks_fts MATCH '{match}') m JOIN {{g}}_talks t ON t.seq = m.seq "
        f"{keyset} ORDER BY m.s, m.seq LIMIT {PAGE + 1}",
        _FACET.format(
            source="{g}_talks_fts f JOIN {g}_talks t ON t.seq = f.rowid",
            where=f"{{g}}_talks_fts MATCH '{match}'",
        ),
    )


def _filter_floor(where: str, order: str) -> tuple[str, ...]:
    """The filtered, sorted top-k with its documents, and one facet over the matches."""
    return (
        f"SELECT t.doc FROM {{g}}_talks t WHERE t.visible = 1 AND {where} "
        f"ORDER BY {order} LIMIT {PAGE + 1}",
        _FACET.format(source="{g}_talks t", where=f"t.visible = 1 AND {where}"),
    )


def _params(query: TalkQuery) -> list[tuple[str, str | int | float | bool | None]]:
    """The search API's parameters for a port query."""
    params: list[tuple[str, str | int | float | bool | None]] = []
    if query.text:
        params.append(("q", query.text))
    for name, values in (
        ("tag", query.tags),
        ("level", query.levels),
        ("format", query.formats),
        ("status", query.statuses),
        ("day", tuple(d.isoformat() for d in query.days)),
    ):
        params += [(name, v) for v in values]
    if query.sort is not None:
        params.append(("sort", query.sort.value))
    return params


def _search(name: str, query: TalkQuery, floor: tuple[str, ...]) -> Case:
    return Case(name, "/talks", _params(query), floor, query=query)


def cases(store: ReadStore, path: Path | None) -> list[Case]:
    """Every query type; ``path`` is the SQLite file whose floor keys the deep pages need
    (None on a search engine)."""
    word, second, rare = corpus.COMMON, corpus.SECOND, corpus.RARE[0]
    day, conference = corpus.DAYS[1], corpus.CONFERENCE
    on = date.fromisoformat(day)
    found = [
        _search("one word", TalkQuery(text=word), _text_floor(f'"{word}"')),
        _search(
            "two words", TalkQuery(text=f"{word} {second}"), _text_floor(f'"{word}" "{second}"')
        ),
        _search("rare word", TalkQuery(text=rare), _text_floor(f'"{rare}"')),
        _search(
            "text + tag",
            TalkQuery(text=word, tags=("rust",)),
            _text_floor(f'"{word}" AND tags : "rust"'),
        ),
        _search(
            "filters, by rating",
            TalkQuery(levels=("advanced",), formats=("talk",), sort=TalkSort.RATING),
            _filter_floor(
                "t.level = 'advanced' AND t.format = 'talk'",
                "t.rating_average DESC, t.rating_count DESC, t.id",
            ),
        ),
        _search(
            "filters, by starts_at",
            TalkQuery(statuses=("scheduled",), days=(on,), sort=TalkSort.STARTS_AT),
            _filter_floor(
                f"t.status = 'scheduled' AND t.day = '{day}'",
                "t.starts_epoch IS NULL, t.starts_epoch, t.id",
            ),
        ),
        _search(
            "filters, by newest",
            TalkQuery(levels=("beginner",), sort=TalkSort.NEWEST),
            _filter_floor("t.level = 'beginner'", "t.submitted_epoch DESC, t.id"),
        ),
        _search(
            "tag, by title",
            TalkQuery(tags=("rust",), sort=TalkSort.TITLE),
            (
                f"SELECT t.doc FROM {{g}}_talks_fts f JOIN {{g}}_talks t ON t.seq = f.rowid "
                "WHERE {g}_talks_fts MATCH 'tags : \"rust\"' "
                f"ORDER BY t.title_key, t.id LIMIT {PAGE + 1}",
                _FACET.format(
                    source="{g}_talks_fts f JOIN {g}_talks t ON t.seq = f.rowid",
                    where="{g}_talks_fts MATCH 'tags : \"rust\"'",
                ),
            ),
        ),
        _search(
            "facets, no filter",
            TalkQuery(),
            _filter_floor("1 = 1", "t.starts_epoch IS NULL, t.starts_epoch, t.id"),
        ),
    ]
    matches = store.search_talks(TalkQuery(text=word, size=1)).total
    for page in (1, 50, 200):
        if (page - 1) * PAGE >= matches:
            continue  # a small corpus has no such page
        cursor, query = _deep_cursor(store, word, page)
        key = None if path is None or page == 1 else _floor_key(path, word, page)
        found.append(
            Case(
                f"cursor page {page}",
                "/talks",
                [("q", word), *([("cursor", cursor)] if cursor else [])],
                _text_floor(f'"{word}"', after=key is not None),
                {} if key is None else {"s": key[0], "r": key[1]},
                query=query,
            )
        )
    found += [
        Case(
            "one talk",
            "/talks/talk-000042",
            floor=("SELECT doc FROM {g}_talks WHERE id = 'talk-000042' AND visible = 1",),
            query="talk-000042",
        ),
        Case(
            "top talks of a day",
            f"/conferences/{conference}/top-talks",
            [("day", day)],
            (
                f"SELECT doc FROM {{g}}_talks WHERE conference_id = '{conference}' "
                f"AND visible = 1 AND status = 'scheduled' AND rating_count >= 1 "
                f"AND day = '{day}' ORDER BY rating_average DESC, rating_count DESC, "
                "starts_epoch, id LIMIT 10",
            ),
            query=TopTalksQuery(conference_id=conference, day=on),
        ),
    ]
    return found


def _deep_cursor(store: ReadStore, word: str, page: int) -> tuple[str | None, TalkQuery]:
    """The signed cursor that opens ``page`` of the one-word search, and the port query
    it stands for. The store is asked for the pages before as one big page (the port does
    not cap sizes; the API does)."""
    if page == 1:
        return None, TalkQuery(text=word)
    from query_service.api.cursor_signing import CursorSigner

    before = store.search_talks(TalkQuery(text=word, size=(page - 1) * PAGE))
    return CursorSigner(CURSOR_KEY).seal(before.next_cursor), TalkQuery(
        text=word, cursor=before.next_cursor
    )


def _floor_key(path: Path, word: str, page: int) -> tuple[float, int]:
    """The floor's sort key (bm25 score, rowid) of the talk just before ``page``."""
    with sqlite3.connect(path) as conn:
        g = _generation(conn)
        score, seq = conn.execute(
            f"SELECT s, seq FROM (SELECT rowid AS seq, {_BM25.format(g=g)} AS s "
            f"FROM {g}_talks_fts WHERE {g}_talks_fts MATCH ?) ORDER BY s, seq "
            "LIMIT 1 OFFSET ?",
            (f'"{word}"', (page - 1) * PAGE - 1),
        ).fetchone()
    return float(score), int(seq)


def _generation(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT value FROM meta WHERE key = 'active_generation'").fetchone()[0])


# --- the two servers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the talks are: a SQLite file, or an OpenSearch URL and index prefix."""

    engine: str
    path: Path
    """The SQLite file; on a search engine, where the cases are written for the floor."""
    url: str = ""
    prefix: str = ""

    def open(self) -> ReadStore:
        if self.engine == "sqlite":
            return SqliteReadStore(self.path)
        return engine_floor.store(self.url, self.prefix)

    def spec(self) -> str:
        return "|".join((self.engine, str(self.path), self.url, self.prefix))

    @classmethod
    def of(cls, spec: str) -> Target:
        engine, path, url, prefix = spec.split("|")
        return cls(engine, Path(path), url, prefix)


def serve_api(target: Target, port: int) -> None:
    import uvicorn

    from query_service.api.app import create_api
    from query_service.api.cursor_signing import CursorSigner

    app = create_api(target.open(), cursors=CursorSigner(CURSOR_KEY))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def serve_floor(target: Target, port: int) -> None:
    saved = json.loads(target.path.with_suffix(".cases.json").read_text())
    if target.engine != "sqlite":
        engine_floor.serve(target.url, target.prefix, saved, port)
        return
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    conn = sqlite3.connect(target.path, check_same_thread=False)
    g = _generation(conn)

    def floor(request: Request) -> JSONResponse:
        """A bare endpoint: run the case's floor statements, answer their rows."""
        case = saved[request.query_params["case"]]
        rows = [conn.execute(sql.format(g=g), case["params"]).fetchall() for sql in case["sql"]]
        return JSONResponse(rows)

    app = Starlette(routes=[Route("/floor", floor)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def cases_for(target: Target) -> list[Case]:
    """The cases, and what their floor sends saved beside them for the floor server."""
    store = target.open()
    try:
        found = cases(store, target.path if target.engine == "sqlite" else None)
    finally:
        store.close()
    saved = {
        c.name: {"sql": c.floor, "params": c.floor_params}
        if target.engine == "sqlite"
        else engine_floor.request(c.query)  # type: ignore[arg-type]
        for c in found
    }
    target.path.with_suffix(".cases.json").write_text(json.dumps(saved))
    return found


# --- loading and measuring ------------------------------------------------------------------


def load(path: Path, talks: int) -> float:
    """Writes the corpus through the write port in batches; returns the seconds it took."""
    started = time.perf_counter()
    store = SqliteReadStore(path)
    store.initialize()
    store.write(WriteBatch(conferences=[corpus.conference()]))
    batch = []
    for talk in corpus.talks(talks):
        batch.append(talk)
        if len(batch) == 1000:
            store.write(WriteBatch(talks=batch))
            batch = []
    store.write(WriteBatch(talks=batch))
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


Timings = dict[str, dict[str, list[float]]]
"""Per case: samples of "ours", "floor" and (on a search engine) "default" (the floor on
the default-similarity copy)."""


def measure(
    api: httpx.Client, floor: httpx.Client, found: list[Case], samples: int, engine: str
) -> Timings:
    kinds = ["ours", "floor"] + (["default"] if engine != "sqlite" else [])
    timings: Timings = {c.name: {kind: [] for kind in kinds} for c in found}
    for round_ in range(samples):
        for case in found:
            for kind in kinds:
                started = time.perf_counter()
                if kind == "ours":
                    answer = api.get(case.path, params=case.params)
                else:
                    similarity = "default" if kind == "default" else "scripted"
                    answer = floor.get(
                        "/floor", params={"case": case.name, "similarity": similarity}
                    )
                timings[case.name][kind].append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
        if round_ % 10 == 0:
            print(f"  round {round_}/{samples}", file=sys.stderr)
    return timings


def _start(role: str, target: Target) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.search_latency",
            "--serve",
            role,
            target.spec(),
            str(port),
        ]
    )
    url = f"http://127.0.0.1:{port}"
    probe = "/health/live" if role == "api" else "/floor?case=one+talk"
    wait_until(lambda: _ready(url + probe), timeout=120, what=f"the {role} server")
    return process, url


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def run(target: Target, talks: int, samples: int) -> tuple[list[Row], list[str]]:
    """Load, serve, measure one engine; its rows and notes."""
    print(f"{target.engine}: loading {talks} talks", file=sys.stderr)
    if target.engine == "sqlite":
        seconds = load(target.path, talks)
    else:
        seconds = engine_floor.load(target.url, target.prefix, talks)
    print(f"  loaded in {seconds:.1f} s", file=sys.stderr)
    found = cases_for(target)
    servers = [_start(role, target) for role in ("api", "floor")]
    try:
        (api_process, api_url), (_, floor_url) = servers
        with (
            httpx.Client(base_url=api_url, timeout=60) as api,
            httpx.Client(base_url=floor_url, timeout=60) as floor,
        ):
            measure(api, floor, found, 3, target.engine)  # warm up: imports, caches
            timings = measure(api, floor, found, samples, target.engine)
        memory = rss_mb(api_process.pid)
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)
    rows = []
    target_ratio = SQLITE_TARGET if target.engine == "sqlite" else ENGINE_TARGET
    for case in found:
        samples_of = timings[case.name]
        for q in (0.5, 0.99):
            rows.append(
                Row(
                    f"{target.engine} {case.name}",
                    f"p{int(q * 100)}",
                    percentile(samples_of["ours"], q),
                    percentile(samples_of["floor"], q),
                    "ms",
                    better="lower",
                    target=target_ratio if q == 0.99 else None,
                    ceiling_name="floor" if target.engine == "sqlite" else "raw engine query",
                )
            )
        if "default" in samples_of:
            rows.append(
                Row(
                    f"{target.engine} {case.name}",
                    "raw p99 vs default BM25",
                    percentile(samples_of["floor"], 0.99),
                    percentile(samples_of["default"], 0.99),
                    "ms",
                    better="lower",
                    ceiling_name="default BM25",
                )
            )
    rows.append(
        Row(
            f"{target.engine} query API",
            "resident memory",
            memory,
            150,
            "MB",
            "lower",
            1.0,
            "issue 10's bound",
        )
    )
    if target.engine == "sqlite":
        floor_note = (
            "floor: the bm25 (or filtered, sorted) top-k with its documents plus one facet "
            "GROUP BY over the matches, as bare SQL behind a bare Starlette endpoint."
        )
    else:
        floor_note = (
            "raw engine query: the adapter's own request body sent by a bare Starlette "
            "endpoint straight to OpenSearch; 'default BM25' sends it to a copy of the index "
            "with the engine's default similarity instead of ADR 050's scripted one."
        )
    notes = [
        f"{target.engine}: {talks:,} talks loaded through the write port in {seconds:.0f} s; "
        f"'{corpus.COMMON}' is in about a third of them; {samples} samples per query type.",
        floor_note,
    ]
    return rows, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument(
        "--engine", default="sqlite,opensearch", help="comma-separated: sqlite, opensearch"
    )
    parser.add_argument(
        "--opensearch-url", default=os.environ.get("TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    )
    parser.add_argument(
        "--serve", nargs=3, metavar=("ROLE", "TARGET", "PORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        role, spec, port = args.serve
        (serve_api if role == "api" else serve_floor)(Target.of(spec), int(port))
        return
    rows: list[Row] = []
    notes = [
        "One request at a time over kept-alive loopback connections; ours and the floor "
        "alternate, each served by one uvicorn worker, so the shared machine's noise falls "
        "on both."
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engine.split(","):
            path = Path(tmp) / f"{engine}.db"
            prefix = f"bench-{uuid.uuid4().hex[:8]}-"
            target = Target(engine, path, args.opensearch_url, prefix)
            try:
                more_rows, more_notes = run(target, args.talks, args.samples)
            finally:
                if engine != "sqlite":
                    engine_floor.drop(args.opensearch_url, prefix)
            rows += more_rows
            notes += more_notes
    print(f"{'query':<44}{'ours':>11}{'ceiling':>11}{'ratio':>8}")
    for row in rows:
        name = f"{row.section} {row.name}"
        print(
            f"{name:<44}{row.ours:>9.1f}{row.unit:<2}{row.ceiling:>9.1f}{row.unit:<2}{row.ratio:>8.2f}"
        )
    write("search_latency", rows, notes=notes)


if __name__ == "__main__":
    main()
