"""Search latency at scale: each query type through the search API beside the engine's floor.

Loads ``--talks`` synthetic talks (``benchmarks/search_corpus.py``) straight through the
read store's write port (no HTTP, no events: the projector is not what is measured), then
serves two processes over the same SQLite file, each one uvicorn worker:

- the search API (``create_api`` over ``SqliteReadStore``), what users call;
- the floor: a bare Starlette endpoint running the least SQL the engine must run for the
  same answer — the FTS5 bm25 top-k (or the filtered, sorted top-k) with the page's
  documents, plus one facet ``GROUP BY`` over the matches — and returning the rows as JSON.

Both are called alternately, one request at a time over kept-alive loopback connections,
so noise from the shared machine falls on both. Each row is the API's p50 or p99 beside
the floor's, with issue 10's target (p99 within 3x of the floor). Run:

    .venv/bin/python -m benchmarks.search_latency [--talks 50000] [--samples 100]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks import search_corpus as corpus
from benchmarks.resident_memory import rss_mb
from benchmarks.results_file import Row, write
from query_service.read_store.port import TalkQuery, WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from tests.e2e.conftest import free_port, wait_until

CURSOR_KEY = b"search-latency-benchmark"
PAGE = 20
SQLITE_TARGET = 3.0
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


def cases(store: SqliteReadStore, path: Path) -> list[Case]:
    word, second, rare = corpus.COMMON, corpus.SECOND, corpus.RARE[0]
    day, conference = corpus.DAYS[1], corpus.CONFERENCE
    found = [
        Case("one word", "/talks", [("q", word)], _text_floor(f'"{word}"')),
        Case(
            "two words", "/talks", [("q", f"{word} {second}")], _text_floor(f'"{word}" "{second}"')
        ),
        Case("rare word", "/talks", [("q", rare)], _text_floor(f'"{rare}"')),
        Case(
            "text + tag",
            "/talks",
            [("q", word), ("tag", "rust")],
            _text_floor(f'"{word}" AND tags : "rust"'),
        ),
        Case(
            "filters, by rating",
            "/talks",
            [("level", "advanced"), ("format", "talk"), ("sort", "rating")],
            _filter_floor(
                "t.level = 'advanced' AND t.format = 'talk'",
                "t.rating_average DESC, t.rating_count DESC, t.id",
            ),
        ),
        Case(
            "filters, by starts_at",
            "/talks",
            [("status", "scheduled"), ("day", day), ("sort", "starts_at")],
            _filter_floor(
                f"t.status = 'scheduled' AND t.day = '{day}'",
                "t.starts_epoch IS NULL, t.starts_epoch, t.id",
            ),
        ),
        Case(
            "filters, by newest",
            "/talks",
            [("level", "beginner"), ("sort", "newest")],
            _filter_floor("t.level = 'beginner'", "t.submitted_epoch DESC, t.id"),
        ),
        Case(
            "tag, by title",
            "/talks",
            [("tag", "rust"), ("sort", "title")],
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
        Case(
            "facets, no filter",
            "/talks",
            [],
            _filter_floor("1 = 1", "t.starts_epoch IS NULL, t.starts_epoch, t.id"),
        ),
    ]
    for page in (1, 50, 200):
        if (page - 1) * PAGE >= store.search_talks(TalkQuery(text=word, size=1)).total:
            continue  # a small corpus has no such page
        cursor, key = _deep_cursor(store, path, word, page)
        found.append(
            Case(
                f"cursor page {page}",
                "/talks",
                [("q", word), *([("cursor", cursor)] if cursor else [])],
                _text_floor(f'"{word}"', after=key is not None),
                {} if key is None else {"s": key[0], "r": key[1]},
            )
        )
    found += [
        Case(
            "one talk",
            "/talks/talk-000042",
            floor=("SELECT doc FROM {g}_talks WHERE id = 'talk-000042' AND visible = 1",),
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
        ),
    ]
    return found


def _deep_cursor(
    store: SqliteReadStore, path: Path, word: str, page: int
) -> tuple[str | None, tuple[float, int] | None]:
    """The signed cursor that opens ``page`` of the one-word search, and the floor's key
    (bm25 score, rowid) of the talk just before it. The store is asked for the pages before
    as one big page (the port does not cap sizes; the API does)."""
    if page == 1:
        return None, None
    from query_service.api.cursor_signing import CursorSigner

    skipped = (page - 1) * PAGE
    before = store.search_talks(TalkQuery(text=word, size=skipped))
    cursor = CursorSigner(CURSOR_KEY).seal(before.next_cursor)
    with sqlite3.connect(path) as conn:
        g = _generation(conn)
        score, seq = conn.execute(
            f"SELECT s, seq FROM (SELECT rowid AS seq, {_BM25.format(g=g)} AS s "
            f"FROM {g}_talks_fts WHERE {g}_talks_fts MATCH ?) ORDER BY s, seq "
            "LIMIT 1 OFFSET ?",
            (f'"{word}"', skipped - 1),
        ).fetchone()
    return cursor, (float(score), int(seq))


def _generation(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT value FROM meta WHERE key = 'active_generation'").fetchone()[0])


# --- the two servers ------------------------------------------------------------------------


def serve_api(path: Path, port: int) -> None:
    import uvicorn

    from query_service.api.app import create_api
    from query_service.api.cursor_signing import CursorSigner

    app = create_api(SqliteReadStore(path), cursors=CursorSigner(CURSOR_KEY))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def serve_floor(path: Path, port: int) -> None:
    """A bare endpoint: run the named case's floor statements, answer their rows."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    conn = sqlite3.connect(path, check_same_thread=False)
    g = _generation(conn)
    by_name = {c["name"]: c for c in json.loads(path.with_suffix(".cases.json").read_text())}

    def floor(request: Request) -> JSONResponse:
        case = by_name[request.query_params["case"]]
        rows = [
            conn.execute(sql.format(g=g), case["floor_params"]).fetchall() for sql in case["floor"]
        ]
        return JSONResponse(rows)

    app = Starlette(routes=[Route("/floor", floor)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def cases_from_file(path: Path) -> list[Case]:
    """The cases, also saved beside the file for the floor server to read."""
    store = SqliteReadStore(path)
    try:
        found = cases(store, path)
    finally:
        store.close()
    path.with_suffix(".cases.json").write_text(json.dumps([asdict(c) for c in found]))
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


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(
    api: httpx.Client, floor: httpx.Client, found: list[Case], samples: int
) -> dict[str, tuple[list[float], list[float]]]:
    timings: dict[str, tuple[list[float], list[float]]] = {c.name: ([], []) for c in found}
    for round_ in range(samples):
        for case in found:
            ours, raw = timings[case.name]
            started = time.perf_counter()
            answer = api.get(case.path, params=case.params)
            ours.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
            started = time.perf_counter()
            answer = floor.get("/floor", params={"case": case.name})
            raw.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
        if round_ % 10 == 0:
            print(f"  round {round_}/{samples}", file=sys.stderr)
    return timings


def _start(role: str, path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.search_latency", "--serve", role, str(path), str(port)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--engine", choices=["sqlite"], default="sqlite")
    parser.add_argument(
        "--serve", nargs=3, metavar=("ROLE", "FILE", "PORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        role, path, port = args.serve
        (serve_api if role == "api" else serve_floor)(Path(path), int(port))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "query.db"
        print(f"loading {args.talks} talks", file=sys.stderr)
        seconds = load(path, args.talks)
        print(f"  loaded in {seconds:.1f} s", file=sys.stderr)
        found = cases_from_file(path)
        servers = [_start(role, path) for role in ("api", "floor")]
        try:
            (api_process, api_url), (_, floor_url) = servers
            with (
                httpx.Client(base_url=api_url, timeout=60) as api,
                httpx.Client(base_url=floor_url, timeout=60) as floor,
            ):
                measure(api, floor, found, 3)  # warm up: imports, page cache, statements
                timings = measure(api, floor, found, args.samples)
            memory = rss_mb(api_process.pid)
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(timeout=10)
    rows = []
    for case in found:
        ours, raw = timings[case.name]
        for q in (0.5, 0.99):
            rows.append(
                Row(
                    f"sqlite {case.name}",
                    f"p{int(q * 100)}",
                    percentile(ours, q),
                    percentile(raw, q),
                    "ms",
                    better="lower",
                    target=SQLITE_TARGET if q == 0.99 else None,
                    ceiling_name="floor",
                )
            )
    print(f"{'query':<32}{'ours':>10}{'floor':>10}{'ratio':>8}")
    for row in rows:
        name = f"{row.section} {row.name}"
        print(f"{name:<32}{row.ours:>8.1f}ms{row.ceiling:>8.1f}ms{row.ratio:>8.2f}")
    print(f"query API resident memory after the run: {memory:.0f} MB")
    write(
        "search_latency",
        rows,
        notes=[
            f"{args.talks:,} talks in a SQLite read store, loaded through the write port in "
            f"{seconds:.0f} s; '{corpus.COMMON}' is in about a third of them.",
            f"{args.samples} samples per query type, one request at a time; API and floor "
            "alternate, each served by one uvicorn worker over the same file.",
            "floor: the bm25 (or filtered, sorted) top-k with its documents plus one facet "
            "GROUP BY over the matches, as bare SQL behind a bare Starlette endpoint.",
            f"query API resident memory after the run: {memory:.0f} MB.",
        ],
    )


if __name__ == "__main__":
    main()
