"""What a rebuild tells its operator while it runs: events replayed of how many, and phases.

The replay reports through this port; the CLI shows it with rich (rate and ETA on
stderr, so stdout stays the summary a script can read), tests and benchmarks stay silent.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def replayed(self, events: int, total: int) -> None:
        """``events`` of about ``total`` replayed so far (the total grows with the log)."""

    def phase(self, message: str) -> None:
        """A step began (verifying, switching, catching up, waiting for open transactions)."""


class Silent:
    def replayed(self, events: int, total: int) -> None:
        pass

    def phase(self, message: str) -> None:
        pass
