"""The position horizon settles a position only once every transaction that could hold
one up to it has ended (ADR 081)."""

from __future__ import annotations

from query_service.consumers.position_horizon import MAX_MARKS, PositionHorizon


def test_with_nothing_older_running_everything_taken_is_final() -> None:
    assert PositionHorizon().observe(last=7, bound=100, xmin=100) == 7


def test_an_older_transaction_still_running_holds_the_horizon_until_it_ends() -> None:
    horizon = PositionHorizon()
    assert horizon.observe(last=7, bound=100, xmin=98) == 0
    assert horizon.observe(last=9, bound=104, xmin=99) == 0  # 98 ended, 99 still runs
    assert horizon.observe(last=12, bound=108, xmin=101) == 7  # all below 100 ended
    assert horizon.observe(last=12, bound=110, xmin=110) == 12


def test_it_never_moves_back() -> None:
    horizon = PositionHorizon()
    horizon.observe(last=7, bound=100, xmin=100)
    assert horizon.observe(last=7, bound=101, xmin=50) == 7


def test_beyond_its_limit_a_newer_mark_absorbs_the_next_and_settles_later() -> None:
    horizon = PositionHorizon()
    for i in range(MAX_MARKS + 5):
        horizon.observe(last=i + 1, bound=1000 + i, xmin=10)
    assert horizon.observe(last=MAX_MARKS + 5, bound=5000, xmin=1000 + MAX_MARKS - 2) < (MAX_MARKS)
    assert horizon.observe(last=MAX_MARKS + 5, bound=5000, xmin=1000 + MAX_MARKS + 4) == (
        MAX_MARKS + 5
    )
