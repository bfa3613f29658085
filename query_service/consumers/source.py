"""The port of a positioned event source: ordered records after a checkpoint."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SourceRecord:
    position: int
    envelope: str
    traceparent: str | None = None
    """The transport's trace context (the relay's publish span), when it carries one."""


class PositionedSource(Protocol):
    def read(self, after: int, limit: int) -> Sequence[SourceRecord]:
        """Up to ``limit`` records with a position above ``after``, in position order."""

    def wait_for_more(self, after: int, stop: threading.Event, timeout: float) -> None:
        """Return soon after a record beyond ``after`` may exist, on stop, or on timeout."""

    def close(self) -> None: ...
