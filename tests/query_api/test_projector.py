"""The projector: exactly-once effect under redelivery, crashes and replicas; poison
messages parked without blocking the stream; prompt pickup of new events."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from query_service.bootstrap import run_projector
from query_service.projector.projector import Projector
from query_service.read_store.port import ReadStoreUnavailable, TalkQuery, WriteBatch
from query_service.read_store.sqlite import SqliteReadStore
from query_service.rebuild import rebuild_read_models
from query_service.settings import QuerySettings
from shared_domain.envelope import TraceContext, to_envelope
from shared_domain.events import TalkAccepted, TalkScheduled
from tests.query_api.conftest import make_projector
from tests.query_api.support import Outbox, Programme


def _story(programme: Programme) -> tuple[str, list[str]]:
    conf = programme.conference()
    talks = [programme.submit(conf, title=f"Talk {i}") for i in range(4)]
    for i, talk_id in enumerate(talks[:3]):
        programme.accept(talk_id)
        programme.schedule(
            conf,
            talk_id,
            "Main",
            f"2025-05-01T{8 + i:02d}:00:00Z",
            f"2025-05-01T{8 + i:02d}:40:00Z",
        )
        programme.rate(talk_id, 5)
        programme.rate(talk_id, 2 + i)
    programme.withdraw(talks[2], conf)
    programme.reject(talks[3])
    return conf, talks


def _state(store: SqliteReadStore, conf: str, talks: list[str]) -> tuple[object, object]:
    return store.load_conferences([conf]), store.load_talks(talks)


def _assert_each_event_applied_once(store: SqliteReadStore, outbox: Outbox) -> None:
    with sqlite3.connect(outbox.path) as conn:
        logged = {row[0] for row in conn.execute("SELECT event_id FROM outbox")}
    journal = store.applied_event_ids()
    assert len(journal) == len(set(journal)), "an event was applied twice"
    assert set(journal) == logged, "an event was never applied"


def test_projects_a_story(
    programme: Programme, projector: Projector, store: SqliteReadStore
) -> None:
    conf, talks = _story(programme)
    projector.run_until_idle()
    docs = store.load_talks(talks)
    assert [docs[t].status for t in talks] == ["scheduled", "scheduled", "withdrawn", "rejected"]
    assert docs[talks[0]].rating.count == 2
    assert docs[talks[2]].slot is None
    assert store.talk_counts(conf) == {"scheduled": 2, "withdrawn": 1, "rejected": 1}
    assert projector.stats.applied == programme.outbox.count()
    assert not store.dead_letters()


def test_redelivered_events_apply_once(
    programme: Programme, outbox: Outbox, projector: Projector, store: SqliteReadStore
) -> None:
    conf, talks = _story(programme)
    with sqlite3.connect(outbox.path) as conn:
        envelopes = [
            row[0] for row in conn.execute("SELECT envelope FROM outbox ORDER BY position")
        ]
    for envelope in envelopes:  # the whole log delivered a second time
        outbox.append_envelope(envelope)
    projector.run_until_idle()
    assert projector.stats.duplicates == len(envelopes)
    assert store.load_talks([talks[0]])[talks[0]].rating.count == 2
    assert store.search_talks(TalkQuery(conference_id=conf)).total == 4
    assert not store.dead_letters()
    journal = store.applied_event_ids()
    assert len(journal) == len(envelopes) == len(set(journal))


class _CrashingStore:
    """Fails (as a crash before commit would) on the n-th write, then behaves."""

    def __init__(self, inner: SqliteReadStore, crash_on: int) -> None:
        self._inner = inner
        self._writes = 0
        self._crash_on = crash_on

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def write(self, batch: WriteBatch) -> None:
        self._writes += 1
        if self._writes == self._crash_on:
            raise SystemExit("simulated crash")
        self._inner.write(batch)


@pytest.mark.parametrize("crash_on", [1, 2, 5])
def test_a_crash_between_batches_changes_nothing(
    programme: Programme, outbox: Outbox, store: SqliteReadStore, tmp_path: Path, crash_on: int
) -> None:
    conf, talks = _story(programme)
    crashing = _CrashingStore(store, crash_on)
    first = make_projector(outbox, crashing, batch_size=3)  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        first.run_until_idle()
    make_projector(outbox, store, batch_size=3).run_until_idle()

    clean = SqliteReadStore(tmp_path / "clean.db")
    clean.initialize()
    make_projector(outbox, clean).run_until_idle()
    assert _state(store, conf, talks) == _state(clean, conf, talks)
    _assert_each_event_applied_once(store, outbox)


def test_competing_replicas_apply_each_event_once(
    programme: Programme, outbox: Outbox, store: SqliteReadStore, tmp_path: Path
) -> None:
    conf, talks = _story(programme)
    replicas = [make_projector(outbox, store, batch_size=2) for _ in range(3)]
    threads = [threading.Thread(target=r.run_until_idle) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    make_projector(outbox, store).run_until_idle()
    clean = SqliteReadStore(tmp_path / "clean.db")
    clean.initialize()
    make_projector(outbox, clean).run_until_idle()
    assert _state(store, conf, talks) == _state(clean, conf, talks)
    assert sum(r.stats.applied for r in replicas) <= outbox.count()
    _assert_each_event_applied_once(store, outbox)


def test_poison_messages_are_parked_and_the_stream_continues(
    programme: Programme, outbox: Outbox, projector: Projector, store: SqliteReadStore
) -> None:
    conf = programme.conference()
    talk_id = programme.submit(conf, title="Before the poison")
    outbox.append_envelope("{not json")
    trace = TraceContext(correlation_id="c", causation_id="c")
    future = to_envelope(TalkAccepted(aggregate_id=talk_id, aggregate_version=2), trace)
    future["type"] = "conference.talk.accepted.v9"
    outbox.append_envelope(json.dumps(future))
    unknown_aggregate = {**future, "type": "conference.venue.opened.v1", "aggregatetype": "venue"}
    outbox.append_envelope(json.dumps(unknown_aggregate))
    # A schedule event the projection refuses (no UTC offset), for another talk.
    bad = TalkScheduled(
        aggregate_id=conf,
        aggregate_version=2,
        talk_id="t-x",
        stage="Main",
        starts_at="2025-05-01T10:00:00",
        ends_at="2025-05-01T10:40:00",
    )
    outbox.append_envelope(json.dumps(to_envelope(bad, trace)))
    programme.versions[conf] = 2
    programme.accept(talk_id)  # talk v2, after its unknown v9 event: waits behind it
    other = programme.submit(conf, title="After the poison")
    programme.rate(other, 4)

    projector.run_until_idle()

    letters = {letter.reason.split(":")[0]: letter for letter in store.dead_letters()}
    assert set(letters) == {"malformed", "unknown_event_type", "ProjectionError", "blocked"}
    assert letters["ProjectionError"].attempts == 3
    assert letters["ProjectionError"].stream == f"conference/{conf}"
    assert letters["blocked"].stream == f"talk/{talk_id}"
    assert projector.stats.skipped == 1
    found = store.search_talks(TalkQuery(conference_id=conf))
    assert {hit.talk.id for hit in found.items} == {talk_id, other}
    assert store.load_talks([other])[other].rating.count == 1
    assert store.checkpoint("outbox-tail") == outbox.count()


def test_an_event_beyond_a_gap_is_retried_then_dead_lettered(
    programme: Programme, outbox: Outbox, projector: Projector, store: SqliteReadStore
) -> None:
    conf = programme.conference()
    talk_id = programme.submit(conf)
    programme.versions[talk_id] += 1  # version 2 is lost
    programme.accept(talk_id)
    later = programme.submit(conf)
    projector.run_until_idle()
    [letter] = store.dead_letters()
    assert letter.reason.startswith("EventNotYetApplicable")
    assert letter.attempts == 3
    assert projector.stats.retries == 2
    assert store.get_talk(later) is not None


def test_a_running_projector_picks_up_new_events_without_being_woken(
    programme: Programme, projector: Projector, store: SqliteReadStore
) -> None:
    stop = threading.Event()
    runner = threading.Thread(target=projector.run, args=(stop,))
    runner.start()
    try:
        # Speed is measured by benchmarks/embedded_latency.py; this only proves the tail
        # follows new commits on its own (the bound is a hang guard, not a speed claim).
        conf = programme.conference()
        for i in range(5):
            started = time.monotonic()
            talk_id = programme.submit(conf, title=f"Prompt {i}")
            while store.get_talk(talk_id) is None:
                assert time.monotonic() - started < 10
                time.sleep(0.002)
    finally:
        stop.set()
        runner.join(timeout=2)
    assert not runner.is_alive()


def test_run_projector_follows_settings_and_stops(
    programme: Programme, outbox: Outbox, tmp_path: Path
) -> None:
    settings = QuerySettings(
        database_url=f"sqlite:///{outbox.path}",
        search_url=f"sqlite:///{tmp_path / 'run.db'}",
    )
    conf = programme.conference()
    stop = threading.Event()
    runner = threading.Thread(target=run_projector, args=(settings, stop))
    runner.start()
    store = SqliteReadStore(tmp_path / "run.db")
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with contextlib.suppress(ReadStoreUnavailable, sqlite3.OperationalError):
                if store.get_conference(conf) is not None:
                    break
            time.sleep(0.01)
    finally:
        stop.set()
        runner.join(timeout=5)
    assert not runner.is_alive()
    assert store.get_conference(conf) is not None


def test_waits_for_an_outbox_that_does_not_exist_yet(
    tmp_path: Path, store: SqliteReadStore
) -> None:
    outbox_path = tmp_path / "later.db"
    projector = make_projector(replace_path(outbox_path), store)
    assert projector.step() == 0
    outbox = Outbox(outbox_path)
    Programme(outbox).conference()
    projector.run_until_idle()
    assert store.checkpoint("outbox-tail") == 1


def replace_path(path: Path) -> Outbox:
    """An Outbox handle for a file that is not created yet."""
    handle = Outbox.__new__(Outbox)
    handle.path = path
    return handle


def test_rebuild_fills_a_new_generation_then_switches(
    programme: Programme, outbox: Outbox, tmp_path: Path
) -> None:
    settings = QuerySettings(
        database_url=f"sqlite:///{outbox.path}",
        search_url=f"sqlite:///{tmp_path / 'rebuild.db'}",
    )
    conf, talks = _story(programme)
    live = SqliteReadStore(tmp_path / "rebuild.db")
    live.initialize()
    make_projector(outbox, live).run_until_idle()
    before = _state(live, conf, talks)
    outcome = rebuild_read_models(settings, threading.Event())
    assert (outcome.generation, outcome.switched, outcome.caught_up) == ("g2", True, True)
    assert _state(live, conf, talks) == before
    assert live.checkpoint("outbox-tail") == outbox.count()
    programme.accept(programme.submit(conf, title="After the rebuild"))
    make_projector(outbox, live).run_until_idle()  # the live projector follows the switch
    assert live.search_talks(TalkQuery(text="rebuild")).total == 1
