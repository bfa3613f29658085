"""The benchmark results writer: ratios, targets, and the three files it leaves."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.results_file import Row, markdown, percentile, write


def test_a_throughput_meets_a_floor_and_a_latency_meets_a_bound() -> None:
    fast = Row("relay", "events/s", ours=80, ceiling=100, unit="ev/s", better="higher", target=0.75)
    slow = Row("search", "p99", ours=4, ceiling=1, unit="ms", better="lower", target=3)
    assert fast.ratio == 0.8
    assert fast.met is True
    assert slow.ratio == 4
    assert slow.met is False
    assert Row("x", "y", 1, 2, "ms", "lower").met is None


def test_a_percentile_is_the_sample_with_that_share_below_it() -> None:
    hundred = [float(n) for n in range(100, 0, -1)]
    assert percentile(hundred, 0.5) == 51
    assert percentile(hundred, 0.99) == 100  # of 100 samples, p99 is the slowest
    assert percentile([float(n) for n in range(1, 601)], 0.99) == 595
    assert percentile([], 0.99) == 0.0


def test_the_table_shows_ratio_and_whether_the_target_was_met() -> None:
    table = markdown(
        [
            Row("write API", "1 worker", 250, 1000, "cmd/s", "higher", 0.25, "bare"),
            Row("search", "one word p99", 6, 2, "ms", "lower", 3),
        ]
    )
    assert "| write API | 1 worker | 250 cmd/s | 1,000 cmd/s (bare) | 25% | ≥ 25% met |" in table
    assert "| search | one word p99 | 6.00 ms | 2.00 ms | 3.00x | ≤ 3x met |" in table


def test_write_leaves_json_markdown_and_a_plot(tmp_path: Path) -> None:
    rows = [Row("relay", "events/s", 60, 100, "ev/s", "higher", 0.75)]
    written = write("pipeline", rows, notes=["noisy machine"], folder=tmp_path)
    document = json.loads((tmp_path / "pipeline.json").read_text())
    assert document["rows"][0]["ratio"] == 0.6
    assert document["rows"][0]["met"] is False
    assert document["machine"]["cpus"] >= 1
    assert "≥ 75% missed" in written.read_text()
    assert "- noisy machine" in written.read_text()
    assert (tmp_path / "pipeline.png").read_bytes().startswith(b"\x89PNG")
