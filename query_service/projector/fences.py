"""Fences: how one projector write is kept apart from every other writer of the read models.

A fence is read before the documents are loaded, rides on the write as a compare-and-set
``Checkpoint`` (or rides on nothing when the store guards each document itself), and says
what a lost race means:

- ``DocumentGuards``: the store checks every document against the version it was loaded
  at (``ProjectionStore.guards_documents``); a lost guard means load again, project again.
- ``SharedFence``: a checkpoint that every writer of a consumer group moves on by one
  (the broker projector on SQLite), or leaves where it is while still requiring it not to
  have moved (a dead-letter replay next to a running projector). Lost: load again.
- ``TailCheckpoint``: the outbox tail's position, moved to the last record a write reaches.
  Lost: another replica has written these records; give up and read on from its position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from query_service.projector.decoding import Decoded
from query_service.read_store.port import Checkpoint, ProjectionStore


class Fence(Protocol):
    def open(self, store: ProjectionStore) -> None:
        """Read what the write will be checked against, before the documents are loaded."""

    def checkpoint(self, upto: Decoded | None) -> Checkpoint | None:
        """The compare-and-set checkpoint of a write that reaches ``upto`` (None: no event
        is written)."""

    def records_progress(self, upto: Decoded | None) -> bool:
        """Whether reaching ``upto`` must be written even if no document changed."""

    def lost(self) -> bool:
        """Another writer won the race: True to load again and re-project, False to give up."""

    def written(self, checkpoint: Checkpoint | None) -> None:
        """The write carrying ``checkpoint`` committed."""


class DocumentGuards:
    """No checkpoint: the store's per-document guards keep concurrent writers apart."""

    def open(self, store: ProjectionStore) -> None:
        del store

    def checkpoint(self, upto: Decoded | None) -> Checkpoint | None:
        del upto
        return None

    def records_progress(self, upto: Decoded | None) -> bool:
        del upto
        return False

    def lost(self) -> bool:
        return True

    def written(self, checkpoint: Checkpoint | None) -> None:
        del checkpoint


@dataclass
class SharedFence:
    """A consumer group's checkpoint, compare-and-set on every write (ADR 060)."""

    consumer: str
    step: int = 1
    """How far a write moves it: 1 for the projector, 0 for a replay beside it."""
    _at: int = 0

    def open(self, store: ProjectionStore) -> None:
        self._at = store.checkpoint(self.consumer)

    def checkpoint(self, upto: Decoded | None) -> Checkpoint | None:
        del upto
        return Checkpoint(self.consumer, self._at, self._at + self.step)

    def records_progress(self, upto: Decoded | None) -> bool:
        del upto
        return False

    def lost(self) -> bool:
        return True

    def written(self, checkpoint: Checkpoint | None) -> None:
        if checkpoint is not None:
            self._at = checkpoint.position


@dataclass
class TailCheckpoint:
    """The outbox tail's checkpoint: from the position read at the start of the step to
    the position of the last record each write reaches."""

    consumer: str
    at: int

    def open(self, store: ProjectionStore) -> None:
        del store  # ``at`` was read with the records, before they were

    def checkpoint(self, upto: Decoded | None) -> Checkpoint | None:
        if upto is None:
            return None
        return Checkpoint(self.consumer, self.at, upto.record.position)

    def records_progress(self, upto: Decoded | None) -> bool:
        """A duplicate or a skipped record still moves the tail on: yes, once one is reached."""
        return upto is not None

    def lost(self) -> bool:
        return False

    def written(self, checkpoint: Checkpoint | None) -> None:
        if checkpoint is not None:
            self.at = checkpoint.position
