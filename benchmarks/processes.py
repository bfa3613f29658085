"""What a role costs the machine, the way an operator's ``ps`` and ``top`` would add it up:
resident memory and CPU time of a process with all its descendants (uvicorn's workers),
and the CPU the whole machine and each infrastructure service spent meanwhile."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

SERVICES = {"postgres": "postgres", "beam.smp": "rabbitmq", "java": "search engine"}
"""Executable name -> the service it is, for the CPU the infrastructure spent."""


def descendants(pid: int) -> Iterator[int]:
    """``pid`` and every process below it."""
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        yield current
        pending += [int(child) for child in children]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB."""
    total = 0
    for current in descendants(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _cpu_of(pid: int) -> float:
    """User plus system CPU seconds of one process (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_seconds(pid: int) -> float:
    """CPU seconds spent so far by ``pid`` and its living descendants."""
    return sum(_cpu_of(current) for current in descendants(pid))


def _machine_busy() -> float:
    """CPU seconds every core spent on anything but idling and waiting, since boot."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICKS


def _services() -> dict[str, float]:
    spent: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if name in SERVICES:
            service = SERVICES[name]
            spent[service] = spent.get(service, 0.0) + _cpu_of(int(entry.name))
    return spent


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    roles: Mapping[str, float]
    services: Mapping[str, float]
    machine: float


def cpu_snapshot(roles: Mapping[str, int], alone: Mapping[str, int]) -> CpuSnapshot:
    """CPU seconds so far of each role (by its pid, with its descendants), of each process
    in ``alone`` without them (the benchmark itself, whose children are the roles), of
    each service and of the machine."""
    return CpuSnapshot(
        time.monotonic(),
        {name: cpu_seconds(pid) for name, pid in roles.items()}
        | {name: _cpu_of(pid) for name, pid in alone.items()},
        _services(),
        _machine_busy(),
    )


def cores_used(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """Average cores each role, each service and the whole machine used in between
    (a service process that started in between counts from its start)."""
    wall = after.at - before.at
    used = {name: (after.roles[name] - before.roles.get(name, 0.0)) / wall for name in after.roles}
    for name, spent in after.services.items():
        used[name] = (spent - before.services.get(name, 0.0)) / wall
    used["machine"] = (after.machine - before.machine) / wall
    return used
