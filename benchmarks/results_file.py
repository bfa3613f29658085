"""Benchmark results as files: JSON for scripts, a markdown table for the README, a PNG plot.

Every benchmark measures its figure beside a ceiling from the same run (our code against
the same stack with none of our code), so a result is a :class:`Row` of both and their
ratio, with the target the issue set for that ratio. Each script writes its own section
to ``benchmarks/results/<name>.{json,md,png}``; the README links the latest ones.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

RESULTS = Path(__file__).parent / "results"

Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Row:
    """One figure of ours beside its ceiling.

    ``better`` says which way is good: throughputs are "higher" (ratio = ours / ceiling,
    target a floor such as 0.75), latencies "lower" (ratio = ours / ceiling, target a
    bound such as 1.5). ``target`` is None for rows that are measured but have no goal.
    """

    section: str
    name: str
    ours: float
    ceiling: float
    unit: str
    better: Better
    target: float | None = None
    ceiling_name: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.ceiling if self.ceiling else float("inf")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.better == "higher":
            return self.ratio >= self.target
        return self.ratio <= self.target


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The sample with ``fraction`` of all samples below it (0.0 for none).

    It never under-reports: of 100 samples, p99 is the slowest one, so a p99 means more
    with more samples (of 600 it is the sixth slowest).
    """
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def latency_rows(
    section: str,
    ours: Sequence[float],
    ceiling: Sequence[float],
    ceiling_name: str,
    *,
    name: str = "",
    quantiles: Sequence[float] = (0.5, 0.99),
) -> list[Row]:
    """One row per quantile of two latency samples in milliseconds (p50, p99)."""
    return [
        Row(
            section,
            f"{name}p{int(q * 100)}",
            percentile(ours, q),
            percentile(ceiling, q),
            "ms",
            better="lower",
            ceiling_name=ceiling_name,
        )
        for q in quantiles
    ]


def machine() -> dict[str, str | int]:
    """What the figures were taken on: they only compare within one run on one machine."""
    return {
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "cpus": os.cpu_count() or 0,
        "memory_gib": _memory_gib(),
        "taken_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _memory_gib() -> int:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 0
    return round(pages / 2**30)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _target(row: Row) -> str:
    if row.target is None:
        return "-"
    sign = "≥" if row.better == "higher" else "≤"
    shown = f"{row.target:.0%}" if row.better == "higher" else f"{row.target:g}x"
    return f"{sign} {shown} {'met' if row.met else 'missed'}"


def _ratio(row: Row) -> str:
    return f"{row.ratio:.0%}" if row.better == "higher" else f"{row.ratio:.2f}x"


def markdown(rows: Sequence[Row]) -> str:
    """One table: section, figure, ours, ceiling, ratio, target."""
    lines = [
        "| section | figure | ours | ceiling | ratio | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        ceiling = f"{_number(row.ceiling)} {row.unit}"
        if row.ceiling_name:
            ceiling += f" ({row.ceiling_name})"
        lines.append(
            f"| {row.section} | {row.name} | {_number(row.ours)} {row.unit} "
            f"| {ceiling} | {_ratio(row)} | {_target(row)} |"
        )
    return "\n".join(lines) + "\n"


def plot(rows: Sequence[Row], path: Path, title: str) -> None:
    """Horizontal bars of each row's ratio with its target marked; matplotlib, no display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{row.section}: {row.name}" for row in rows]
    # Show every ratio as "share of the ceiling's speed", so longer is always better.
    shares = [row.ratio if row.better == "higher" else 1 / row.ratio for row in rows]
    figure, axes = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.2))
    colours = ["tab:green" if row.met or row.met is None else "tab:red" for row in rows]
    positions = range(len(rows))
    axes.barh(list(positions), shares, color=colours)
    for position, row in zip(positions, rows, strict=True):
        if row.target is not None:
            goal = row.target if row.better == "higher" else 1 / row.target
            axes.plot([goal, goal], [position - 0.4, position + 0.4], color="black")
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.invert_yaxis()
    axes.axvline(1.0, color="grey", linestyle=":")
    axes.set_xlabel("share of the ceiling's speed (1 = as fast as the stack without our code)")
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(
    name: str, rows: Sequence[Row], notes: Sequence[str] = (), folder: Path = RESULTS
) -> Path:
    """Writes ``<name>.json``, ``<name>.md`` and ``<name>.png``; returns the markdown's path."""
    folder.mkdir(parents=True, exist_ok=True)
    about = machine()
    document = {
        "benchmark": name,
        "machine": about,
        "rows": [asdict(row) | {"ratio": row.ratio, "met": row.met} for row in rows],
        "notes": list(notes),
    }
    (folder / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
    taken = (
        f"Taken {about['taken_at']} on {about['cpus']} CPUs, {about['memory_gib']} GiB, "
        f"{about['system']}, Python {about['python']}; every service shared the machine."
    )
    body = [f"# {name}", "", taken, "", markdown(rows)]
    body += [f"- {note}" for note in notes]
    (folder / f"{name}.md").write_text("\n".join(body).rstrip() + "\n")
    plot(rows, folder / f"{name}.png", f"{name} — {about['taken_at']}")
    return folder / f"{name}.md"
