"""One watcher per process: one batched read per interval, however many requests wait."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection, Mapping

import pytest

from query_service.api.version_watcher import VersionWatcher
from query_service.read_store.port import ReadStoreUnavailable
from service_conventions.consistency.token import Awaited, MarkKind, MarkRef

TALK: MarkRef = (MarkKind.TALK, "t-1")
CONFERENCE: MarkRef = (MarkKind.CONFERENCE, "c-1")


class Store:
    """Versions a test moves, and every batch of refs the watcher asked for."""

    def __init__(self) -> None:
        self.versions: dict[MarkRef, int] = {}
        self.asked: list[set[MarkRef]] = []
        self.failing = False
        self._lock = threading.Lock()

    def read_versions(self, refs: Collection[MarkRef]) -> Mapping[MarkRef, int]:
        with self._lock:
            self.asked.append(set(refs))
            if self.failing:
                raise ReadStoreUnavailable("engine away")
            return {ref: self.versions.get(ref, 0) for ref in refs}


def awaiting(**versions: int) -> Awaited:
    refs = {"talk": TALK, "conference": CONFERENCE}
    return Awaited({refs[name]: v for name, v in versions.items()})


def test_an_awaited_version_already_there_answers_after_one_read() -> None:
    store = Store()
    store.versions[TALK] = 3
    watcher = VersionWatcher(store.read_versions)
    assert asyncio.run(watcher.wait_for(awaiting(talk=3), timeout=1.0)) is True
    assert store.asked == [{TALK}]


def test_a_waiter_wakes_once_the_store_reaches_its_version() -> None:
    store = Store()
    watcher = VersionWatcher(store.read_versions, interval=0.001)

    async def scenario() -> bool:
        waiting = asyncio.create_task(watcher.wait_for(awaiting(talk=2), timeout=5.0))
        await asyncio.sleep(0.02)
        assert not waiting.done()
        store.versions[TALK] = 2
        return await waiting

    assert asyncio.run(scenario()) is True


def test_past_its_deadline_a_waiter_is_answered_false() -> None:
    store = Store()
    store.versions[TALK] = 1
    watcher = VersionWatcher(store.read_versions, interval=0.001)
    assert asyncio.run(watcher.wait_for(awaiting(talk=2), timeout=0.02)) is False


def test_a_timeout_of_zero_still_reads_once() -> None:
    store = Store()
    store.versions[TALK] = 2
    watcher = VersionWatcher(store.read_versions)
    assert asyncio.run(watcher.wait_for(awaiting(talk=2), timeout=0)) is True
    assert len(store.asked) == 1


def test_many_waiters_share_each_read() -> None:
    """200 requests waiting for two aggregates: each read asks for both at once, and
    there are far fewer reads than waiters."""
    store = Store()
    watcher = VersionWatcher(store.read_versions, interval=0.005)

    async def scenario() -> list[bool]:
        waiters = [
            asyncio.create_task(
                watcher.wait_for(awaiting(talk=1) if i % 2 else awaiting(conference=4), 5.0)
            )
            for i in range(200)
        ]
        await asyncio.sleep(0.03)
        store.versions.update({TALK: 1, CONFERENCE: 4})
        return await asyncio.gather(*waiters)

    assert asyncio.run(scenario()) == [True] * 200
    assert store.asked[-1] == {TALK, CONFERENCE}
    assert len(store.asked) < 30
    assert watcher.reads == len(store.asked)


def test_the_watcher_stops_reading_when_nobody_waits() -> None:
    store = Store()
    store.versions[TALK] = 1
    watcher = VersionWatcher(store.read_versions, interval=0.001)

    async def scenario() -> None:
        await watcher.wait_for(awaiting(talk=1), 1.0)
        await asyncio.sleep(0.05)

    asyncio.run(scenario())
    assert len(store.asked) == 1


def test_a_store_that_fails_fails_every_waiter_with_its_error() -> None:
    store = Store()
    store.failing = True
    watcher = VersionWatcher(store.read_versions)
    with pytest.raises(ReadStoreUnavailable, match="engine away"):
        asyncio.run(watcher.wait_for(awaiting(talk=1), 1.0))


def test_a_waiter_that_goes_away_does_not_stop_the_others() -> None:
    store = Store()
    watcher = VersionWatcher(store.read_versions, interval=0.001)

    async def scenario() -> bool:
        gone = asyncio.create_task(watcher.wait_for(awaiting(talk=1), 5.0))
        staying = asyncio.create_task(watcher.wait_for(awaiting(talk=1), 5.0))
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.sleep(0.01)
        store.versions[TALK] = 1
        return await staying

    assert asyncio.run(scenario()) is True


def test_nothing_awaited_needs_no_read() -> None:
    store = Store()
    assert asyncio.run(VersionWatcher(store.read_versions).wait_for(Awaited({}), 0)) is True
    assert store.asked == []
