"""What reading an old event version costs the projector, beside what decoding costs.

Every event a projector applies is parsed (``json.loads``) and turned into its class
(``from_envelope``); a v1 ``TalkSubmitted`` is also upcast to v2 on the way (ADR 082). In
one process, alternating rounds, per event:

1. the ceiling: ``json.loads`` of the stored envelope alone (no code of ours);
2. decoding a v2 envelope (``json.loads`` + ``from_envelope``, no step to run);
3. decoding a v1 envelope (the same, plus the v1 -> v2 step).

Run: ``.venv/bin/python -m benchmarks.upcasting [--events 100000]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from shared_domain.envelope import TraceContext, from_envelope, to_envelope
from shared_domain.events import JsonDict, TalkSubmitted
from shared_domain.upcasting import TalkSubmittedV1

DETAILS: JsonDict = {
    "title": "Scaling Kubernetes clusters",
    "abstract": "Autoscaling for real, with the numbers. " * 10,
    "speakers": [{"name": "Ada Lovelace", "company": "Acme"}],
    "tags": ["kubernetes", "scaling"],
    "level": "intermediate",
    "format": "talk",
    "duration_minutes": 40,
}
TRACE = TraceContext(correlation_id="c", causation_id="c")


def _stored(event: TalkSubmitted | TalkSubmittedV1) -> str:
    return json.dumps(to_envelope(event, TRACE))


def _timed(work: Callable[[str], object], text: str, events: int) -> float:
    """Microseconds per event."""
    started = time.perf_counter()
    for _ in range(events):
        work(text)
    return (time.perf_counter() - started) / events * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    v2 = _stored(
        TalkSubmitted(
            aggregate_id="t", aggregate_version=1, conference_id="c", language="en", **DETAILS
        )
    )
    v1 = _stored(
        TalkSubmittedV1(aggregate_id="t", aggregate_version=1, conference_id="c", **DETAILS)
    )

    def decode(text: str) -> object:
        return from_envelope(json.loads(text))

    rounds: dict[str, list[float]] = {"ceiling": [], "v2": [], "v1": []}
    for _ in range(args.rounds):  # alternated, so that noise hits all three alike
        rounds["ceiling"].append(_timed(json.loads, v2, args.events))
        rounds["v2"].append(_timed(decode, v2, args.events))
        rounds["v1"].append(_timed(decode, v1, args.events))
    ceiling, current, old = (statistics.median(rounds[k]) for k in ("ceiling", "v2", "v1"))
    print("| measure                                | µs/event (median) | / ceiling |")
    print("|----------------------------------------|-------------------|-----------|")
    print(f"| json.loads of the envelope (ceiling)   | {ceiling:17.2f} | {1:9.2f} |")
    print(
        f"| decode a v2 (current)                  | {current:17.2f} | {current / ceiling:9.2f} |"
    )
    print(f"| decode a v1 (upcast to v2)             | {old:17.2f} | {old / ceiling:9.2f} |")
    print(f"\nthe v1 -> v2 step: {old - current:.2f} µs per event")


if __name__ == "__main__":
    main()
