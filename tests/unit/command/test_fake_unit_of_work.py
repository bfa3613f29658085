"""The fake unit of work keeps the SQL adapters' contract (``tests/integration/
test_unit_of_work.py`` checks the same points against the databases)."""

from __future__ import annotations

import pytest

from command_service.errors import ConcurrencyConflict
from shared_domain.errors import ConferenceNotFound, TalkNotFound, UnknownConference
from tests.unit.command import builders as build
from tests.unit.command.fakes import InMemoryStore
from tests.unit.command.handling import recorded


def test_commit_saves_aggregates_and_their_events_talks_first(store: InMemoryStore) -> None:
    store.given(build.talk())
    conference = build.new_conference()
    with store.unit_of_work() as uow:
        uow.conferences.add(conference)
        talk = uow.talks.get("talk-1")
        talk.accept()
        conference.schedule(
            talk,
            stage=build.stage("Main"),
            starts_at=build.moment("2026-06-01T10:00:00"),
            speakers_of={},
        )
        uow.commit()

    assert recorded(store) == [
        ("TalkAccepted", "talk-1", 2),
        ("ConferenceCreated", "conf-1", 1),
        ("TalkScheduled", "conf-1", 2),
    ]
    assert (store.conference("conf-1").version, store.talk("talk-1").version) == (2, 2)


def test_leaving_without_commit_discards_everything(store: InMemoryStore) -> None:
    store.given(build.conference())
    before = store.state()
    with store.unit_of_work() as uow:
        uow.conferences.get("conf-1").rename(build.text("Never saved"))
        uow.idempotency.record("k", "f", {})

    def failing_handler() -> None:
        with store.unit_of_work() as uow:
            uow.conferences.get("conf-1").rename(build.text("Nor this"))
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        failing_handler()
    assert store.state() == before


def test_each_transaction_loads_its_own_copy_once(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())
    with store.unit_of_work() as first, store.unit_of_work() as second:
        assert first.conferences.get("conf-1") is first.conferences.get("conf-1")
        assert first.talks.get("talk-1") is first.talks.get_many(["nope", "talk-1"])[0]
        assert first.conferences.get("conf-1") is not second.conferences.get("conf-1")
        first.conferences.get("conf-1").rename(build.text("Only here"))
        assert second.conferences.get("conf-1").name == "PyCon Nowhere"


def test_saving_from_a_stale_version_conflicts_and_saves_nothing(store: InMemoryStore) -> None:
    store.given(build.conference(), build.talk())
    with store.unit_of_work() as slow:
        slow.talks.get("talk-1").accept()
        slow.conferences.get("conf-1").rename(build.text("Second writer"))
        with store.unit_of_work() as fast:
            fast.conferences.get("conf-1").rename(build.text("First writer"))
            fast.commit()
        before = store.state()
        with pytest.raises(ConcurrencyConflict):
            slow.commit()
    assert store.state() == before, "the talk was not saved either"
    assert store.conference("conf-1").name == "First writer"


def test_creating_an_existing_id_conflicts(store: InMemoryStore) -> None:
    store.given(build.conference())
    with store.unit_of_work() as uow:
        uow.conferences.add(build.new_conference("conf-1"))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    assert store.outbox == []


def test_unknown_ids(store: InMemoryStore) -> None:
    with store.unit_of_work() as uow:
        assert uow.conferences.find("nope") is None
        with pytest.raises(ConferenceNotFound):
            uow.conferences.get("nope")
        with pytest.raises(TalkNotFound):
            uow.talks.get("nope")
        assert uow.talks.get_many(["nope"]) == []
        assert uow.talk_ratings.get("nope").version == 0


def test_single_ratings_follow_the_summary(store: InMemoryStore) -> None:
    store.given(build.talk(status="accepted"))

    def act(attendee: str, stars: int | None) -> None:
        with store.unit_of_work() as uow:
            summary = uow.talk_ratings.get("talk-1")
            previous = uow.talk_ratings.stars_of("talk-1", attendee)
            if stars is None:
                summary.remove(attendee, previous)
            else:
                summary.rate(uow.talks.get("talk-1"), attendee, stars, previous)
            uow.commit()

    for attendee, stars in [("ann", 5), ("bob", 3), ("ann", 1), ("bob", None)]:
        act(attendee, stars)
    assert store.ratings == {("talk-1", "ann"): 1}
    summary = store.summary("talk-1")
    assert (summary.version, summary.count, summary.total) == (4, 1, 1)


def test_idempotency_keys_are_recorded_once(store: InMemoryStore) -> None:
    with store.unit_of_work() as uow:
        uow.idempotency.record("k", "f", {"id": "x", "version": 1})
        assert uow.idempotency.find("k") == ("f", {"id": "x", "version": 1})
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.idempotency.find("k") == ("f", {"id": "x", "version": 1})
        assert uow.idempotency.find("other") is None
        with pytest.raises(ConcurrencyConflict):
            uow.idempotency.record("k", "g", {})


def test_a_unit_of_work_is_used_inside_its_block_only(store: InMemoryStore) -> None:
    with pytest.raises(RuntimeError, match="inside its `with` block"):
        store.unit_of_work().commit()


def test_a_talk_of_an_unknown_conference_is_refused_on_commit(store: InMemoryStore) -> None:
    """The SQL adapters' foreign key, modelled: nothing is committed (ADR 077)."""
    before = store.state()
    with store.unit_of_work() as uow:
        uow.talks.add(build.talk("talk-9"))
        with pytest.raises(UnknownConference):
            uow.commit()
    assert store.state() == before
