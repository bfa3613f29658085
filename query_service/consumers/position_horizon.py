"""The outbox position up to which PostgreSQL can no longer commit a row (ADR 081).

Positions come from a sequence, taken before commit, so they commit out of order: a reader
that passes position 7 while the transaction holding 6 is still open never sees 6. The
horizon is a position at or below which every transaction that took a position has ended:

- A transaction has its id before it takes a position (the unit of work writes the
  aggregate's row, which assigns the id, before the outbox row).
- So every position up to ``last`` (the sequence's value, read first) was taken by a
  transaction whose id is below ``xmax`` of a snapshot taken after that read.
- Once a later snapshot's ``xmin`` (the oldest id still running) reaches that ``xmax``,
  all of them have committed or rolled back: positions up to ``last`` are final.

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
    """(last position, xmax) pairs still waiting for ``xmin`` to reach their ``xmax``."""

    def observe(self, last: int, xmin: int, xmax: int) -> int:
        """The horizon after measuring ``last`` (the sequence) and then a snapshot."""
        while self._marks and self._marks[0][1] <= xmin:
            self.settled = max(self.settled, self._marks.popleft()[0])
        if xmin >= xmax:  # no transaction with an id runs: everything taken so far is final
            self.settled = max(self.settled, last)
            self._marks.clear()
        elif last > self.settled:
            if self._marks and (self._marks[-1][1] == xmax or len(self._marks) >= MAX_MARKS):
                self._marks[-1] = (max(last, self._marks[-1][0]), xmax)
            elif not self._marks or last > self._marks[-1][0]:
                self._marks.append((last, xmax))
        return self.settled
