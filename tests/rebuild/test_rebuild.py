"""The rebuild on PostgreSQL into every read store: gap-safe, verified, rolled back."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import sqlalchemy as sa

from command_service.adapters.unit_of_work import SqlUnitOfWork
from query_service.consumers.outbox_log import OutboxLog
from query_service.read_store.port import LoadedDocuments, ReadStore, WriteBatch
from query_service.rebuild import (
    NothingToRollBack,
    Outcome,
    Verification,
    rebuild_read_models,
    roll_back,
)
from query_service.rebuild.progress import Silent
from query_service.rebuild.replay import Replay
from query_service.settings import QuerySettings
from shared_domain.conference import Conference
from tests.integration.conftest import new_conference, store, trace
from tests.rebuild.held_writes import WAIT, inverted_commits


class Phases(Silent):
    """Remembers the phases; ``waiting`` is set once the replay waits for a transaction."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.waiting = threading.Event()

    def phase(self, message: str) -> None:
        self.seen.append(message)
        if message.startswith("waiting"):
            self.waiting.set()


def _conferences(engine: sa.Engine, count: int) -> list[Conference]:
    made = [new_conference(name=f"Conference {i}") for i in range(count)]
    for conference in made:
        store(engine, conference)
    return made


def _project(settings: QuerySettings, target: ReadStore) -> None:
    """What the live projectors would have written: every event that is final."""
    replay = Replay(OutboxLog(settings.database_url), target, Silent(), 100)
    try:
        assert replay.run(threading.Event())
        assert replay.catch_up(threading.Event())
    finally:
        replay.close()


def _serving(store: ReadStore) -> str:
    return next(g.name for g in store.describe_generations() if g.serving)


def test_an_event_whose_position_was_passed_while_open_reaches_the_new_generation(
    settings: QuerySettings, live_store: ReadStore, command_engine: sa.Engine
) -> None:
    """An open transaction holds position 4 while position 5, from an older transaction,
    commits. The rebuild must not pass 4 and it must not end without it."""
    early = _conferences(command_engine, 3)
    held_conference, committed = new_conference(name="held"), new_conference(name="committed")
    held = inverted_commits(command_engine, held_conference, committed)
    phases, outcomes = Phases(), list[Outcome]()
    rebuild = threading.Thread(
        target=lambda: outcomes.append(rebuild_read_models(settings, threading.Event(), phases))
    )
    rebuild.start()
    try:
        assert phases.waiting.wait(WAIT), phases.seen
        new = live_store.for_generation("g2")
        try:
            # A reader that starts while a write is open cannot tell which positions it
            # holds, so it may not even have the earlier events yet: never the later one.
            assert not new.load_conferences([held_conference.id, committed.id])
        finally:
            new.close()
        assert _serving(live_store) == "g1"
    finally:
        held.finish()
        rebuild.join(WAIT)
    [outcome] = outcomes
    assert (outcome.generation, outcome.switched, outcome.caught_up) == ("g2", True, True)
    loaded = live_store.load_conferences([c.id for c in (*early, held_conference, committed)])
    assert len(loaded) == 5
    assert {"held", "committed"} <= {c.name for c in loaded.values()}
    assert _serving(live_store) == "g2"


class _LoadsBeforeTheSwitch(Silent):
    """A live projector caught by the switch-over: right before it, a rename commits and
    the live store loads the conference it changes, from the generation serving then."""

    def __init__(self, engine: sa.Engine, live: ReadStore, conference_id: str) -> None:
        self._engine, self._live, self._id = engine, live, conference_id
        self.loaded: LoadedDocuments | None = None

    def phase(self, message: str) -> None:
        if message.startswith("switching"):
            with SqlUnitOfWork(self._engine, trace()) as uow:
                uow.conferences.get(self._id).rename("Renamed before the switch")
                uow.commit()
            self.loaded = self._live.load_documents((), [self._id])


@pytest.mark.parametrize("settings", ["opensearch", "elasticsearch"], indirect=True)
def test_a_batch_loaded_before_the_switch_and_written_after_it_reaches_the_new_generation(
    settings: QuerySettings, live_store: ReadStore, command_engine: sa.Engine
) -> None:
    """The worst timing for a live projector on a search engine (ADR 085): it loads from
    g1, the rebuild switches and catches up, and only then does it write, into g1, where
    it loaded. g2 has the event all the same: it was committed before the load, hence
    before the switch, so the catch-up replayed it."""
    [conference] = _conferences(command_engine, 1)
    _project(settings, live_store)
    live = _LoadsBeforeTheSwitch(command_engine, live_store, conference.id)
    outcome = rebuild_read_models(settings, threading.Event(), live)
    assert (outcome.generation, outcome.switched, outcome.caught_up) == ("g2", True, True)
    assert live.loaded is not None
    [stale] = live.loaded.conferences.values()
    assert stale.name == conference.name
    renamed = dataclasses.replace(stale, name="Renamed before the switch", version=2)
    live_store.write(WriteBatch(conferences=[renamed], versions=live.loaded.versions))
    for generation in ("g1", "g2"):
        pinned = live_store.for_generation(generation)
        try:
            [doc] = pinned.load_conferences([conference.id]).values()
        finally:
            pinned.close()
        assert (generation, doc.name, doc.version) == (generation, renamed.name, 2)


def test_verify_switches_when_the_generations_are_equal(
    settings: QuerySettings, live_store: ReadStore, command_engine: sa.Engine
) -> None:
    made = _conferences(command_engine, 3)
    _project(settings, live_store)

    outcome = rebuild_read_models(
        settings, threading.Event(), verification=Verification([], [c.id for c in made])
    )

    assert outcome.verified is not None
    assert (outcome.verified.compared, outcome.verified.mismatches) == (3, [])
    assert outcome.switched
    assert _serving(live_store) == "g2"


def test_verify_refuses_to_switch_on_a_difference_unless_forced(
    settings: QuerySettings, live_store: ReadStore, command_engine: sa.Engine
) -> None:
    made = _conferences(command_engine, 2)
    _project(settings, live_store)
    [served] = live_store.load_conferences([made[0].id]).values()
    live_store.write(WriteBatch(conferences=[dataclasses.replace(served, name="Tampered")]))
    ids = [c.id for c in made]

    refused = rebuild_read_models(
        settings, threading.Event(), verification=Verification([], ids, grace_seconds=0)
    )

    assert refused.verified is not None
    assert not refused.switched
    assert [str(m) for m in refused.verified.mismatches] == [f"conference/{made[0].id}: name"]
    assert _serving(live_store) == "g1"
    assert [g.name for g in live_store.describe_generations()] == ["g1"]  # dropped

    forced = rebuild_read_models(
        settings, threading.Event(), verification=Verification([], ids, True, 0)
    )

    assert forced.switched
    assert _serving(live_store) == forced.generation != "g1"
    assert live_store.load_conferences([made[0].id])[made[0].id].name == made[0].name


def test_a_rollback_switches_back_to_the_replaced_generation_caught_up(
    settings: QuerySettings, live_store: ReadStore, command_engine: sa.Engine
) -> None:
    _conferences(command_engine, 2)
    _project(settings, live_store)
    assert rebuild_read_models(settings, threading.Event()).switched
    [after] = _conferences(command_engine, 1)  # g1 did not serve when this was written

    outcome = roll_back(settings, threading.Event())

    assert (outcome.generation, outcome.switched, outcome.caught_up) == ("g1", True, True)
    assert _serving(live_store) == "g1"
    assert after.id in live_store.load_conferences([after.id])
    with pytest.raises(NothingToRollBack, match="g1 serves and no older generation is kept"):
        roll_back(settings, threading.Event())


class Failing(Silent):
    def phase(self, message: str) -> None:
        if message.startswith("switching"):
            raise RuntimeError("the operator's terminal went away")


def test_a_rebuild_that_fails_before_the_switch_drops_its_generation(
    settings: QuerySettings, live_store: ReadStore, command_engine: sa.Engine
) -> None:
    """Else a later rollback could pick a generation that never served."""
    _conferences(command_engine, 1)

    with pytest.raises(RuntimeError, match="terminal went away"):
        rebuild_read_models(settings, threading.Event(), Failing())

    assert [g.name for g in live_store.describe_generations()] == ["g1"]
