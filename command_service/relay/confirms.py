"""What the broker said about one batch: the confirm/return bookkeeping, without any I/O.

On a channel in confirm mode the broker numbers publishes from 1 (delivery tags) and
answers each with ``basic.ack`` or ``basic.nack``, often for many at once
(``multiple=True``: every tag up to this one). With ``mandatory=True`` an unroutable message
first comes back as ``basic.return`` and is then acked: an ack after a return is a failure,
so its row stays unpublished. A batch is settled when every one of its tags is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import takewhile

from command_service.relay.messages import OutboxMessage


@dataclass(frozen=True)
class BatchResult:
    confirmed: list[int]
    """Positions the broker acked and routed: safe to mark published."""
    failed: list[int]
    """Positions the broker returned (unroutable) or nacked."""
    unconfirmed: list[int]
    """Positions whose fate is unknown (connection lost, timeout): to be sent again."""
    returned_reasons: set[str] = field(default_factory=set)
    returned: int = 0
    """How many of ``failed`` the broker returned as unroutable (the others it nacked)."""

    @classmethod
    def lost(cls, messages: Sequence[OutboxMessage]) -> BatchResult:
        """Nothing known about any of ``messages`` (never sent, or the answer never came)."""
        return cls([], [], sorted(message.position for message in messages))


class ConfirmWindow:
    """The delivery tags of one batch, published in order from ``first_tag``, and their fate.

    Tags outside the batch are ignored, and so is a tag answered twice: the first answer
    counts.
    """

    def __init__(self, messages: Sequence[OutboxMessage], first_tag: int) -> None:
        self._pending = {first_tag + offset: m for offset, m in enumerate(messages)}
        """Unanswered tags, in ascending order (a ``multiple`` answer settles a prefix)."""
        self._returned: set[str] = set()
        self._reasons: set[str] = set()
        self._confirmed: list[int] = []
        self._failed: list[int] = []
        self._returned_count = 0

    @property
    def settled(self) -> bool:
        return not self._pending

    def returned(self, message_id: str | None, reason: str) -> None:
        """``basic.return`` of the message with this id (it arrives before its ack)."""
        if message_id is not None:
            self._returned.add(message_id)
        self._reasons.add(reason)

    def answered(self, delivery_tag: int, *, acked: bool, multiple: bool) -> None:
        """``basic.ack`` (``acked``) or ``basic.nack`` of one tag, or of every tag up to it."""
        if multiple:
            tags = list(takewhile(lambda tag: tag <= delivery_tag, self._pending))
        else:
            tags = [delivery_tag] if delivery_tag in self._pending else []
        for tag in tags:
            message = self._pending.pop(tag)
            if acked and message.event_id not in self._returned:
                self._confirmed.append(message.position)
            else:
                self._failed.append(message.position)
                self._returned_count += acked

    def result(self) -> BatchResult:
        """What is known now; tags still unanswered count as unconfirmed."""
        return BatchResult(
            sorted(self._confirmed),
            sorted(self._failed),
            sorted(message.position for message in self._pending.values()),
            set(self._reasons),
            self._returned_count,
        )
