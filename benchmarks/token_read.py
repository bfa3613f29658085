"""The cost of reading with a Consistency-Token, on the embedded default.

Starts ``conference up`` in a temporary folder (the real command-api, projector and
query-api processes) and measures, one request at a time over kept-alive connections:

- a token read whose marks are already reached (``GET /talks/{id}`` with the token of a
  command the projector has applied) beside the same read without a token (the ceiling):
  what verifying the token and one watcher round cost;
- a token read sent at once after its command (``PATCH /talks/{id}``), which answers when
  the read model shows the edit, beside the fastest a client can learn the same without a
  token: plain reads in a loop, as fast as they answer, until the edit shows (the ceiling).
  The share of first plain reads that were stale says what the token is for.

Run:

    .venv/bin/python -m benchmarks.token_read [--reads 2000] [--commands 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.results_file import latency_rows, write
from tests.e2e.conftest import Stack, start_stack, wait_until
from tests.e2e.test_story import _conference, _submit


def timed_get(stack: Stack, path: str, headers: dict[str, str]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = stack.query.get(path, headers=headers)
    return (time.perf_counter() - started) * 1000, answer


def reached_reads(stack: Stack, talk: str, reads: int) -> tuple[list[float], list[float]]:
    token = stack.send("PATCH", f"/talks/{talk}", {"title": "Reached"}).headers["Consistency-Token"]
    wait_until(lambda: stack.query.get(f"/talks/{talk}").json()["title"] == "Reached")
    with_token: list[float] = []
    plain: list[float] = []
    for _ in range(reads):
        for samples, headers in ((with_token, {"Consistency-Token": token}), (plain, {})):
            ms, answer = timed_get(stack, f"/talks/{talk}", headers)
            assert answer.status_code == 200, answer.text
            samples.append(ms)
    return with_token, plain


def after_command(stack: Stack, talk: str, commands: int) -> tuple[list[float], list[float], int]:
    """Token reads and polled plain reads, alternating command by command."""
    with_token: list[float] = []
    polled: list[float] = []
    stale_first = 0
    for index in range(commands):
        title = f"Edit {index}"
        edit = stack.send("PATCH", f"/talks/{talk}", {"title": title})
        assert edit.status_code == 200, edit.text
        if index % 2 == 0:
            headers = {"Consistency-Token": edit.headers["Consistency-Token"]}
            ms, answer = timed_get(stack, f"/talks/{talk}", headers)
            assert answer.json()["title"] == title, "a token read was stale"
            with_token.append(ms)
            continue
        started = time.perf_counter()
        first = True
        while stack.query.get(f"/talks/{talk}").json()["title"] != title:
            stale_first += first
            first = False
        polled.append((time.perf_counter() - started) * 1000)
    return with_token, polled, stale_first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--commands", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stack = start_stack(Path(folder))
        try:
            conference = _conference(stack)
            talk = _submit(stack, conference, "Token reads", "Ada", ["consistency"])
            reached_reads(stack, talk, 100)  # warm up
            print(f"{args.reads} reads each, token reached vs plain", file=sys.stderr)
            reached, plain = reached_reads(stack, talk, args.reads)
            print(f"{args.commands} commands, token read vs polling plain reads", file=sys.stderr)
            token_after, polled, stale = after_command(stack, talk, args.commands)
        finally:
            stack.stop()
    rows = [
        *latency_rows("token read, already reached", reached, plain, "the same read, no token"),
        *latency_rows(
            "token read right after its command",
            token_after,
            polled,
            "plain reads in a loop until the edit shows",
        ),
    ]
    print(f"{'':<40}{'ours':>10}{'ceiling':>10}{'ratio':>8}")
    for row in rows:
        label = f"{row.section} {row.name}"
        print(f"{label:<40}{row.ours:>8.2f}ms{row.ceiling:>8.2f}ms{row.ratio:>8.2f}")
    stale_share = stale / max(1, len(polled))
    print(f"first plain read after a command stale: {stale}/{len(polled)} ({stale_share:.0%})")
    write(
        "token_read",
        rows,
        notes=[
            f"Embedded default (conference up: SQLite outbox, projector, SQLite read store); "
            f"{args.reads} reads of GET /talks/{{id}} each way, alternating, then "
            f"{args.commands} PATCH /talks/{{id}}, half followed by one token read, half by "
            "plain reads in a loop until the edit shows.",
            f"Without the token, the first plain read after a command was stale "
            f"{stale}/{len(polled)} times ({stale_share:.0%}); no token read was stale.",
            "One request at a time over kept-alive loopback connections; the watcher polls "
            "the read store every 5 ms while anyone waits.",
        ],
    )


if __name__ == "__main__":
    main()
