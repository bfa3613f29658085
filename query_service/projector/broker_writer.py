"""The broker projector's writer threads: each batch goes through the core on one of them.

A batch is projected and written (``core.write_events``) on a writer thread while the
consumer's thread reads the next deliveries off the socket; no broker call is made here
(pika connections are not thread-safe). A writer touches only its ``Job``; what it did
comes back through the job's future.

**Pipelining** (stores that guard every document, ADR 060): a second batch may be handed
over while one is in the store. It loads and projects at once, provided the two share no
document (the documents an event reads are known from the event alone: ``documents_of``);
otherwise it waits until the batch before it is written and projects against that. Writes
stay one at a time and in order.

**Fencing** (stores that do not guard documents: SQLite): every write carries the consumer
group's compare-and-set checkpoint (``fences.SharedFence``); a replica that lost the race
re-loads and re-projects.

Failures of the store: transient ones hand the rest of the batch back unwritten
(``Written.trouble``); the core narrows any other down to the delivery at fault.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from query_service.consumers.rabbitmq import Delivery
from query_service.projections.dispatch import DocumentKeys, documents_of
from query_service.projector.batch import ItemOutcome
from query_service.projector.core import Options, write_events
from query_service.projector.decoding import Decoded
from query_service.projector.fences import DocumentGuards, Fence, SharedFence
from query_service.projector.settlement import Attempts
from query_service.read_store.port import ProjectionStore

log = logging.getLogger(__name__)


def fence_of(queue: str) -> str:
    """The consumer name of the fence that replicas on ``queue`` share (unguarded stores)."""
    return f"broker:{queue}"


class StoreTrouble(Exception):
    """The store failed transiently; ``pending`` are the deliveries still to write."""

    def __init__(self, pending: list[Pending], cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.pending = pending


@dataclass
class Pending:
    delivery: Delivery
    item: Decoded
    attempts: Attempts = field(default_factory=Attempts)
    due: float = 0.0


Settled = tuple[Pending, Decoded, ItemOutcome]


@dataclass(eq=False)
class Job:
    """One batch on its way through a writer thread."""

    batch: list[Pending]
    after: Job | None = field(repr=False)
    """The batch handed over before this one, while it may still be in the store."""
    documents: DocumentKeys = field(init=False)
    """Every document its events read (and so may write)."""
    written: threading.Event = field(default_factory=threading.Event, init=False)
    """Set once its store write is over, however it ended."""
    followed: bool = field(default=False, init=False)
    """Another batch is queued behind this one (and its write will refresh)."""
    future: Future[Written] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.documents = documents_of(p.item.event for p in self.batch if p.item.event)
        if self.after is not None:
            self.after.followed = True

    def wait_for_documents(self) -> None:
        """Return once the batch before cannot change what this one reads."""
        if self.after is not None and self.after.documents.overlaps(self.documents):
            self.after.written.wait()

    def wait_for_turn(self) -> None:
        """Return once the batch before is written: writes go one at a time, in order."""
        if self.after is not None:
            self.after.written.wait()

    def result(self) -> Written:
        assert self.future is not None
        return self.future.result()


@dataclass
class Written:
    """What the writer thread did with one batch, for the consumer thread to settle."""

    settled: list[Settled] = field(default_factory=list)
    carry: list[Pending] = field(default_factory=list)
    """Lost races in a row: put back for the next step."""
    trouble: Exception | None = None
    """A transient store failure; ``unwritten`` wait for the back-off."""
    unwritten: list[Pending] = field(default_factory=list)


class BatchWriter:
    def __init__(self, store: ProjectionStore, fence: str, *, threads: int = 2) -> None:
        self._store = store
        self._fence = fence
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="projector-writer")

    @property
    def pipelines(self) -> bool:
        """Whether a batch may be handed over while the one before is in the store."""
        return self._store.guards_documents

    def submit(self, batch: list[Pending], after: Job | None) -> Job:
        job = Job(batch, after)
        job.future = self._threads.submit(self._run, job)
        return job

    def wait(self, jobs: Iterable[Job | None]) -> None:
        """Return once every one of ``jobs`` is over, however it ended."""
        wait([j.future for j in jobs if j is not None and j.future is not None])

    def shutdown(self) -> None:
        self._threads.shutdown(wait=True)

    def _run(self, job: Job) -> Written:
        try:
            job.wait_for_documents()
            return self._write(job)
        finally:
            job.written.set()
            job.after = None  # done with it: no chain of every batch ever written

    def _write(self, job: Job) -> Written:
        """On a writer thread: project and write through the core; no broker calls here."""
        batch = sorted(job.batch, key=lambda pending: _order(pending.item))
        fence: Fence = (
            DocumentGuards() if self._store.guards_documents else SharedFence(self._fence)
        )
        options = Options(before_write=job.wait_for_turn, searchable_now=lambda: not job.followed)
        result = write_events(self._store, [p.item for p in batch], fence, options)
        written = Written()
        for pending, outcome in zip(batch, result.outcomes, strict=True):
            if outcome is not None:
                written.settled.append((pending, pending.item, outcome))
        rest = [batch[i] for i in result.unwritten]
        if result.trouble is not None:
            written.trouble, written.unwritten = result.trouble, rest
        else:
            written.carry = rest  # lost races in a row
        return written


def _order(item: Decoded) -> tuple[str, int]:
    """Events of one stream in version order; streams among themselves in any order."""
    return (item.stream or "", item.version or 0)
