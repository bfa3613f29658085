"""The publisher's hand-over between the relay thread and its I/O thread, without a broker.

The test's thread plays the relay: it hands batches over and waits. ``FakeBroker`` answers
on the publisher's real pika I/O loop, on its own thread, as the network would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from command_service.relay.confirms import BatchResult
from command_service.relay.publisher import BrokerUnavailable, ConfirmingPublisher
from tests.unit.relay.fake_broker import FakeBroker, eventually
from tests.unit.relay.outbox_messages import messages

URL = "amqp://guest:guest@broker.invalid:5672/%2F"


def publisher_on(broker: FakeBroker) -> ConfirmingPublisher:
    return ConfirmingPublisher(URL, "test.exchange", open_connection=broker)


@pytest.fixture
def broker() -> FakeBroker:
    return FakeBroker()


@pytest.fixture
def publisher(broker: FakeBroker) -> Iterator[ConfirmingPublisher]:
    publisher = publisher_on(broker)
    publisher.open(timeout=5)
    yield publisher
    publisher.close()
    assert not publisher.running, "the I/O thread outlived close()"


def test_a_batch_is_published_whole_before_any_confirm_then_answered(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    in_flight = publisher.start(messages(1, 2, 3))
    published = broker.wait_published(3)  # no confirm yet: the whole window is on the wire
    assert [p.delivery_tag for p in published] == [1, 2, 3]
    assert [p.properties.message_id for p in published] == ["event-1", "event-2", "event-3"]
    assert all(p.mandatory for p in published)
    assert {p.thread for p in published} == {publisher.connection_name}
    broker.ack(2, multiple=True)
    broker.ack(3)
    assert in_flight.wait(timeout=5) == BatchResult([1, 2, 3], [], [])


def test_returned_and_nacked_messages_come_back_failed(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    in_flight = publisher.start(messages(1, 2, 3))
    broker.wait_published(3)
    broker.return_unroutable(1)
    broker.ack(1)
    broker.nack(2)
    broker.ack(3)
    assert in_flight.wait(timeout=5) == BatchResult([3], [1, 2], [], {"312 NO_ROUTE"}, returned=1)
    assert publisher.is_open


def test_delivery_tags_go_on_counting_across_batches(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    first = publisher.start(messages(1, 2))
    broker.wait_published(2)
    broker.ack(2, multiple=True)
    assert first.wait(timeout=5).confirmed == [1, 2]
    second = publisher.start(messages(3, 4))
    assert [p.delivery_tag for p in broker.wait_published(4)[2:]] == [3, 4]
    broker.ack(4, multiple=True)
    assert second.wait(timeout=5) == BatchResult([3, 4], [], [])


def test_a_connection_lost_mid_batch_is_seen_by_the_waiting_thread(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    in_flight = publisher.start(messages(1, 2, 3))
    broker.wait_published(3)
    broker.ack(1)
    broker.drop_connection()
    started = time.monotonic()
    assert in_flight.wait(timeout=5) == BatchResult([1], [], [2, 3])
    assert time.monotonic() - started < 1.0
    assert eventually(lambda: not publisher.is_open)
    assert eventually(lambda: not publisher.running)
    assert publisher.start(messages(4)).wait(timeout=5) == BatchResult([], [], [4])
    assert len(broker.published) == 3, "nothing is sent on a dead connection"


def test_a_hand_over_to_a_loop_that_stopped_comes_back_lost_at_once(
    publisher: ConfirmingPublisher, broker: FakeBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker.drop_connection()
    assert eventually(lambda: not publisher.running)
    monkeypatch.setattr(ConfirmingPublisher, "is_open", property(lambda _: True))
    started = time.monotonic()
    assert publisher.start(messages(1, 2)).wait(timeout=5) == BatchResult([], [], [1, 2])
    assert time.monotonic() - started < 1.0, "waited for a loop that will never run it"


def test_a_batch_not_confirmed_in_time_closes_the_connection_and_keeps_what_is_known(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    in_flight = publisher.start(messages(1, 2, 3))
    broker.wait_published(3)
    broker.ack(1)
    broker.sync()  # the ack is taken before the deadline
    assert in_flight.wait(timeout=0.2) == BatchResult([1], [], [2, 3])
    assert not publisher.running
    assert not publisher.is_open


def test_batches_from_another_thread_are_answered_there(
    publisher: ConfirmingPublisher, broker: FakeBroker
) -> None:
    results: list[BatchResult] = []

    def relay() -> None:
        for start in range(1, 301, 100):
            results.append(publisher.start(messages(*range(start, start + 100))).wait(timeout=5))

    thread = threading.Thread(target=relay)
    thread.start()
    for last in (100, 200, 300):
        broker.wait_published(last)
        broker.ack(last - 50, multiple=True)
        broker.nack(last)
        broker.ack(last - 1, multiple=True)
    thread.join(5)
    assert [r.confirmed for r in results] == [
        [*range(start, start + 99)] for start in range(1, 301, 100)
    ]
    assert [r.failed for r in results] == [[100], [200], [300]]
    assert all(r.unconfirmed == [] for r in results)


def test_an_empty_batch_needs_no_broker(publisher: ConfirmingPublisher) -> None:
    assert publisher.start([]).wait(timeout=0) == BatchResult([], [], [])


def test_a_refused_exchange_fails_open_with_the_reason() -> None:
    publisher = publisher_on(FakeBroker(refuse_exchange=True))
    with pytest.raises(BrokerUnavailable, match="PRECONDITION_FAILED"):
        publisher.open(timeout=5)
    assert not publisher.running
    assert not publisher.is_open


def test_a_connection_refused_fails_open_with_the_reason() -> None:
    publisher = publisher_on(FakeBroker(fail_to_connect=True))
    with pytest.raises(BrokerUnavailable, match="connection refused"):
        publisher.open(timeout=5)
    assert not publisher.running


def test_a_stop_while_connecting_ends_open() -> None:
    stop = threading.Event()
    stop.set()
    never_answers = ConfirmingPublisher(URL, open_connection=lambda *_: None)
    with pytest.raises(BrokerUnavailable, match="stopped while connecting"):
        never_answers.open(timeout=5, stop_event=stop)
    assert not never_answers.running
