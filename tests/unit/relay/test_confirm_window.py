"""The confirm/return bookkeeping of one batch, without a broker."""

from __future__ import annotations

from command_service.relay.confirms import BatchResult, ConfirmWindow
from tests.unit.relay.outbox_messages import messages


def window(*positions: int, first_tag: int = 1) -> ConfirmWindow:
    return ConfirmWindow(messages(*positions), first_tag)


def test_a_fresh_window_is_all_unconfirmed() -> None:
    fresh = window(10, 11, 12)
    assert not fresh.settled
    assert fresh.result() == BatchResult([], [], [10, 11, 12])


def test_single_acks_confirm_one_tag_each() -> None:
    batch = window(10, 11)
    batch.answered(2, acked=True, multiple=False)
    assert batch.result() == BatchResult([11], [], [10])
    assert not batch.settled
    batch.answered(1, acked=True, multiple=False)
    assert batch.settled
    assert batch.result() == BatchResult([10, 11], [], [])


def test_a_multiple_ack_confirms_every_tag_up_to_it() -> None:
    batch = window(10, 11, 12, 13)
    batch.answered(3, acked=True, multiple=True)
    assert batch.result() == BatchResult([10, 11, 12], [], [13])
    batch.answered(4, acked=True, multiple=True)
    assert batch.settled


def test_a_nack_fails_its_tags_single_or_multiple() -> None:
    batch = window(10, 11, 12)
    batch.answered(2, acked=False, multiple=True)
    batch.answered(3, acked=False, multiple=False)
    assert batch.settled
    assert batch.result() == BatchResult([], [10, 11, 12], [])


def test_an_ack_after_a_return_is_a_failure_with_its_reason() -> None:
    batch = window(10, 11, 12)
    batch.returned("event-11", "312 NO_ROUTE")
    batch.answered(3, acked=True, multiple=True)
    assert batch.result() == BatchResult([10, 12], [11], [], {"312 NO_ROUTE"}, returned=1)


def test_tags_count_from_the_batch_first_tag_and_others_are_ignored() -> None:
    batch = window(10, 11, first_tag=101)  # an earlier batch used tags 1 to 100
    batch.answered(100, acked=True, multiple=True)  # all before this batch
    batch.answered(7, acked=False, multiple=False)
    batch.answered(500, acked=True, multiple=False)  # beyond it
    assert batch.result() == BatchResult([], [], [10, 11])
    batch.answered(102, acked=True, multiple=True)
    assert batch.result() == BatchResult([10, 11], [], [])


def test_the_first_answer_of_a_tag_counts() -> None:
    batch = window(10, 11)
    batch.answered(1, acked=True, multiple=False)
    batch.answered(1, acked=False, multiple=False)
    batch.answered(2, acked=False, multiple=True)
    assert batch.result() == BatchResult([10], [11], [])


def test_lost_names_every_position_unconfirmed() -> None:
    assert BatchResult.lost(messages(3, 1, 2)) == BatchResult([], [], [1, 2, 3])


def test_a_result_is_a_copy_later_answers_do_not_change() -> None:
    batch = window(10, 11)
    batch.returned("event-10", "312 NO_ROUTE")
    before = batch.result()
    batch.answered(2, acked=True, multiple=True)
    batch.returned("event-11", "313 NO_CONSUMERS")
    assert before == BatchResult([], [], [10, 11], {"312 NO_ROUTE"})
