"""The one watcher per process that wakes reads waiting for a ``Consistency-Token``.

A waiting request never asks the read store itself: it registers what it awaits and a
deadline, and one asyncio task, running only while someone waits, reads the versions of
every awaited mark in one batched ``read_versions`` call, then resolves each waiter that is
satisfied (True) or past its deadline (False), every ``interval``. A thousand waiting
requests cost one query per interval, not a thousand. It reads the store, never this
process's memory, so it sees what any projector replica wrote (ADR 080).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field

from service_conventions.consistency.token import Awaited, MarkRef

INTERVAL_SECONDS = 0.005

ReadVersions = Callable[[Collection[MarkRef]], Mapping[MarkRef, int]]


@dataclass(eq=False)
class _Waiter:
    awaited: Awaited
    deadline: float
    reached: asyncio.Future[bool] = field(init=False)

    def __post_init__(self) -> None:
        self.reached = asyncio.get_running_loop().create_future()


class VersionWatcher:
    def __init__(self, read_versions: ReadVersions, *, interval: float = INTERVAL_SECONDS) -> None:
        self._read = read_versions
        self._interval = interval
        self._waiters: list[_Waiter] = []
        self._task: asyncio.Task[None] | None = None
        self.reads = 0
        """Batched reads so far (what tests and the benchmark count)."""

    async def wait_for(self, awaited: Awaited, timeout: float) -> bool:
        """True once the read models reach ``awaited``; False if they have not after
        ``timeout`` seconds (after at least one read, so a timeout of 0 checks once).
        Raises what the read store raises (``ReadStoreUnavailable``)."""
        if not awaited.versions:
            return True
        loop = asyncio.get_running_loop()
        waiter = _Waiter(awaited, loop.time() + timeout)
        self._waiters.append(waiter)
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._watch())
        return await waiter.reached

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiters:
            waiters = list(self._waiters)
            refs = {ref for w in waiters for ref in w.awaited.versions}
            try:
                current = await asyncio.to_thread(self._read, refs)
            except Exception as error:  # the store's failure is each waiter's answer
                for future in self._settled(waiters):
                    future.set_exception(error)
            else:
                now = loop.time()
                for waiter in waiters:
                    reached = waiter.awaited.reached_by(current)
                    if reached or now >= waiter.deadline:
                        for answer in self._settled([waiter]):
                            answer.set_result(reached)
            self.reads += 1
            if self._waiters:
                await asyncio.sleep(self._interval)

    def _settled(self, waiters: list[_Waiter]) -> Iterator[asyncio.Future[bool]]:
        """The futures to answer of ``waiters``, now no longer waiting (a request that
        went away has cancelled its own)."""
        for waiter in waiters:
            self._waiters.remove(waiter)
            if not waiter.reached.done():
                yield waiter.reached
