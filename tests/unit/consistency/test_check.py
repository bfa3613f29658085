"""While traffic flows, an aggregate that is not equal at first sight is looked at again
until the grace period is over; only what is still not equal then is reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from query_service.consistency.check import ConsistencyCheck
from query_service.consistency.compare import Kind, Verdict
from query_service.consistency.write_model import WriteModel
from query_service.read_store.port import ReadStore


class ScriptedCheck(ConsistencyCheck):
    """The comparisons follow a script (aggregate -> the kinds of successive looks); the
    clock moves by the sleeps, so the grace period is exact."""

    def __init__(self, script: dict[str, list[Kind]], grace: float) -> None:
        self.now = 0.0
        self.looks: dict[str, int] = {}
        self._script = script

        def sleep(seconds: float) -> None:
            self.now += seconds

        super().__init__(
            cast(WriteModel, object()),  # never read: ``verdicts`` is scripted
            cast(ReadStore, object()),
            grace_seconds=grace,
            batch=2,
            sleep=sleep,
            clock=lambda: self.now,
        )

    def verdicts(self, aggregates: Sequence[str]) -> list[Verdict]:
        found = []
        for aggregate in aggregates:
            look = self.looks.get(aggregate, 0)
            self.looks[aggregate] = look + 1
            kinds = self._script[aggregate]
            found.append(Verdict(aggregate, kinds[min(look, len(kinds) - 1)]))
        return found


def test_what_catches_up_within_the_grace_is_not_reported() -> None:
    check = ScriptedCheck(
        {
            "talk/a": [Kind.EQUAL],
            "talk/b": [Kind.BEHIND, Kind.BEHIND, Kind.EQUAL],
            "talk/c": [Kind.DIFFERENT, Kind.EQUAL],
        },
        grace=5.0,
    )
    progress: list[int] = []
    report = check.run(["talk/a", "talk/b", "talk/c"], progress=progress.append)
    assert report.consistent
    assert (report.checked, report.equal, report.caught_up) == (3, 1, 2)
    assert progress == [2, 1]
    assert check.now < 5.0


def test_what_stays_different_or_missing_is_reported_once_the_grace_is_over() -> None:
    check = ScriptedCheck(
        {
            "talk/a": [Kind.BEHIND],
            "talk/b": [Kind.DIFFERENT],
            "conference/c": [Kind.MISSING],
            "talk/d": [Kind.EQUAL],
        },
        grace=2.0,
    )
    report = check.run(["talk/a", "talk/b", "conference/c", "talk/d"])
    assert not report.consistent
    assert [v.aggregate for v in report.different] == ["talk/b"]
    assert [v.aggregate for v in report.missing] == ["conference/c"]
    assert [v.aggregate for v in report.behind] == ["talk/a"]
    assert report.equal == 1
    assert check.now >= 2.0
    assert check.looks["talk/a"] > 2


def test_nothing_pending_means_no_waiting() -> None:
    check = ScriptedCheck({"talk/a": [Kind.EQUAL]}, grace=60.0)
    assert check.run(["talk/a"]).consistent
    assert check.now == 0.0


def test_what_stays_behind_alone_is_lag_not_a_difference() -> None:
    check = ScriptedCheck({"talk/a": [Kind.BEHIND], "talk/b": [Kind.EQUAL]}, grace=1.0)
    report = check.run(["talk/a", "talk/b"])
    assert report.consistent
    assert [v.aggregate for v in report.behind] == ["talk/a"]
    assert (report.different, report.missing) == ([], [])
