"""The outbox position up to which PostgreSQL can no longer commit a row (ADR 081).

Positions come from a sequence, taken before commit, so they commit out of order: a reader
that passes position 7 while the transaction holding 6 is still open never sees 6. The
horizon is a position at or below which every transaction that took a position has ended:

- A transaction has its id before it takes a position (the unit of work writes the
  aggregate's row, which assigns the id, before the outbox row).
- So every position up to ``last`` (the sequence's value, read first) was taken by a
  transaction whose id is below ``bound``, an id the reader takes right after that read
  (in a transaction of its own, committed at once). A snapshot's ``xmax`` would not do:
  it is the newest *completed* id plus one, and running ids above it are not listed.
- Once a snapshot taken after that commit has ``xmin`` (the oldest id still running, or
  ``xmax`` when none runs) at or above ``bound``, all of them have committed or rolled
  back: positions up to ``last`` are final.

Pure: the reader hands in what it measured, in that order.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MAX_MARKS = 1024
"""Marks kept waiting; beyond, the newest absorbs the next (it settles later, never early)."""


@dataclass
class PositionHorizon:
    settled: int = 0
    """Every position up to here is final (committed or never will be)."""
    _marks: deque[tuple[int, int]] = field(default_factory=deque)
    """(last position, bound) pairs still waiting for ``xmin`` to reach their bound."""

    def observe(self, last: int, bound: int, xmin: int) -> int:
        """The horizon after measuring ``last`` (the sequence), then taking ``bound``, then
        a snapshot's ``xmin``."""
        while self._marks and self._marks[0][1] <= xmin:
            self.settled = max(self.settled, self._marks.popleft()[0])
        if xmin >= bound:  # nothing older than the bound runs: all taken so far is final
            self.settled = max(self.settled, last)
            self._marks.clear()
        elif last > self.settled:
            if self._marks and len(self._marks) >= MAX_MARKS:
                self._marks[-1] = (max(last, self._marks[-1][0]), bound)
            elif not self._marks or last > self._marks[-1][0]:
                self._marks.append((last, bound))
        return self.settled
