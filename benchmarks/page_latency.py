"""The search page's server time, beside the JSON API answering the same search.

Seeds a programme (real events through the real projector into a SQLite read store), runs
the query API in a subprocess (uvicorn, one worker), and sends the same searches, text and
facets, alternately to the page (``GET /?q=...`` asking for HTML) and to the JSON API
(``GET /talks?q=...``, the ceiling: the same read-store call without a template), one at a
time over a kept-alive loopback connection. The difference is what rendering costs. Run:

    .venv/bin/python -m benchmarks.page_latency [--requests 2000] [--talks 600]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.results_file import latency_rows, write
from query_service.read_store.sqlite import SqliteReadStore
from tests.browser.programme import project, seed
from tests.e2e.conftest import free_port, wait_until
from tests.query_api.support import Outbox

SEARCHES: list[list[tuple[str, str | int | float | bool | None]]] = [
    [("q", "python")],
    [("q", "practice")],
    [("q", "security trade-offs")],
    [("q", "practice"), ("tag", "rust")],
    [("q", "data"), ("level", "advanced"), ("status", "submitted")],
    [("tag", "kubernetes"), ("day", "2026-06-11")],
]
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def serve(folder: Path, port: int) -> None:
    """The subprocess: the query API over the seeded store."""
    import uvicorn

    from query_service.api.app import create_api

    store = SqliteReadStore(folder / "query.db")
    uvicorn.run(create_api(store), host="127.0.0.1", port=port, log_level="warning")


def measure(url: str, requests: int) -> tuple[list[float], list[float]]:
    page: list[float] = []
    json: list[float] = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for index in range(requests):
            params = SEARCHES[index % len(SEARCHES)]
            for path, headers, samples in (("/", HTML, page), ("/talks", {}, json)):
                started = time.perf_counter()
                answer = client.get(path, params=params, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
            if index % 500 == 0:
                print(f"  {index}/{requests}", file=sys.stderr)
    return page, json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--talks", type=int, default=600)
    parser.add_argument("--serve", nargs=2, metavar=("FOLDER", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"seeding {args.talks} talks", file=sys.stderr)
        outbox = Outbox(folder / "command.db")
        seed(outbox, talks=args.talks)
        store = SqliteReadStore(folder / "query.db")
        store.initialize()
        project(outbox, store)
        store.close()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.page_latency", "--serve", str(folder), str(port)]
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: _ready(url), timeout=30, what="the query API")
            measure(url, 100)  # warm up: imports, template compilation, SQLite caches
            page, json = measure(url, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=10)
    rows = latency_rows("search page", page, json, "GET /talks", name="server time ")
    print(f"{'':<18}{'page':>10}{'JSON':>10}{'ratio':>8}")
    for row in rows:
        print(f"{row.name:<18}{row.ours:>8.2f}ms{row.ceiling:>8.2f}ms{row.ratio:>8.2f}")
    write(
        "page_latency",
        rows,
        notes=[
            f"{args.requests} searches each ({len(SEARCHES)} kinds: text, text and facets, "
            f"facets alone), {args.talks} talks in a SQLite read store.",
            "One request at a time over a kept-alive loopback connection, page and JSON "
            "alternating; the server is one uvicorn worker in its own process.",
        ],
    )


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
