"""Command-to-searchable latency on the embedded default.

Starts ``conference up`` in a temporary folder, then for each probe sends one command and
polls the search API (every 2 ms) until the change is visible. Prints percentiles. Run:

    .venv/bin/python -m benchmarks.embedded_latency [--probes 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.results_file import percentile
from tests.e2e.conftest import start_stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--probes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stack = start_stack(Path(folder))
        try:
            conference = stack.ok(
                "POST",
                "/conferences",
                {
                    "name": "Latency",
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-01-02",
                    "stages": ["Main"],
                },
            )["id"]
            latencies, commands = [], []
            for index in range(args.probes):
                started = time.perf_counter()
                talk = stack.ok(
                    "POST",
                    "/talks",
                    {
                        "conference_id": conference,
                        "title": f"Probe {index}",
                        "speakers": [{"name": f"Speaker {index}"}],
                        "level": "beginner",
                        "format": "talk",
                    },
                )["id"]
                commands.append(time.perf_counter() - started)
                while stack.query.get(f"/talks/{talk}").status_code != 200:
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - started)
        finally:
            stack.stop()
    ms = 1000.0
    print(f"{'measure':<34}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    for name, samples in (
        ("command (POST /talks)", commands),
        ("command to searchable", latencies),
    ):
        print(
            f"{name:<34}{statistics.median(samples) * ms:>9.1f}"
            f"{percentile(samples, 0.9) * ms:>9.1f}{percentile(samples, 0.99) * ms:>9.1f}"
        )


if __name__ == "__main__":
    main()
