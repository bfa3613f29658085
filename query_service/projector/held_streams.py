"""What one broker projector replica remembers of streams that wait (ADR 061).

- ``HeldStreams``: the streams this replica held or parked an event of, and where each
  stood then. A later event of such a stream that meets a gap while the stream has not
  moved is held at once: its predecessor will not come before the held one does. Bounded,
  oldest forgotten first; forgetting only makes a later event wait out its gap timeout.
- ``InHand``: the versions of every delivery the replica holds unsettled, so that an event
  whose predecessor is among them is not taken for one whose predecessor is missing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from query_service.projections.errors import EventNotYetApplicable
from query_service.projector.decoding import Decoded

HELD_STREAMS_KEPT = 10_000


@dataclass(frozen=True)
class Stuck:
    """A stream this replica held or parked ``version`` of, while ``applied`` was applied."""

    version: int
    applied: int

    def holds_back(self, gap: EventNotYetApplicable) -> bool:
        """The gap is behind what was held, and the stream has not moved since: its
        predecessor will not come before the held one does."""
        return self.version < gap.received and gap.applied <= self.applied


class HeldStreams:
    def __init__(self, kept: int = HELD_STREAMS_KEPT) -> None:
        self._streams: OrderedDict[str, Stuck] = OrderedDict()
        self._kept = kept

    def remember(self, item: Decoded, applied: int) -> None:
        """``item`` was held or parked while its stream stood at ``applied``."""
        if not item.stream:
            return
        before = self._streams.get(item.stream)
        if before is None or (item.version or 0) > before.version:
            self._streams[item.stream] = Stuck(item.version or 0, applied)
        self._streams.move_to_end(item.stream)
        while len(self._streams) > self._kept:
            self._streams.popitem(last=False)

    def holds_back(self, gap: EventNotYetApplicable) -> bool:
        stuck = self._streams.get(gap.stream)
        return stuck is not None and stuck.holds_back(gap)

    def applied(self, item: Decoded) -> None:
        """``item`` applied: a stream that moved past what it held is forgotten."""
        stuck = self._streams.get(item.stream or "")
        if stuck is not None and (item.version or 0) >= stuck.version:
            del self._streams[item.stream or ""]


class InHand:
    """The (stream, version) of every delivery this replica holds, unsettled."""

    def __init__(self, items: Iterable[Decoded]) -> None:
        self._versions: dict[str, list[int]] = {}
        self.add(items)

    def add(self, items: Iterable[Decoded]) -> None:
        for item in items:
            if item.stream and item.version is not None:
                self._versions.setdefault(item.stream, []).append(item.version)

    def between(self, stream: str, applied: int, received: int) -> bool:
        """Whether a version after ``applied`` and before ``received`` is in hand."""
        return any(applied < v < received for v in self._versions.get(stream, ()))
