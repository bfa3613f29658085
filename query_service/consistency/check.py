"""Compare every talk and conference of the write model with the serving read models.

Traffic may flow while it runs, so nothing is reported at first sight: each batch reads
the read documents *before* the write model (both only move forward, so a read document
can never look newer than the truth), and an aggregate that is not equal is looked at
again, every ``poll`` seconds, until it is or the grace period is over. Only what is still
not equal then is reported. An aggregate that stayed *behind* for the whole grace period
is reported apart, as lag: it is not a difference between the models (the projector has
not got there yet), and the lag gauges and ``conference status`` are where it is judged.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from query_service.consistency.compare import Kind, Verdict, compare_conference, compare_talk
from query_service.consistency.expected import (
    expected_conference,
    expected_counts,
    expected_talk,
)
from query_service.consistency.write_model import WriteModel
from query_service.read_store.port import ReadStore

BATCH = 200
"""Aggregates compared per round trip to each side."""


@dataclass
class CheckReport:
    checked: int = 0
    equal: int = 0
    caught_up: int = 0
    """Not equal at first sight (behind, or written in between), equal within the grace."""
    different: list[Verdict] = field(default_factory=list)
    """Still different once the grace period was over."""
    missing: list[Verdict] = field(default_factory=list)
    behind: list[Verdict] = field(default_factory=list)
    """Still behind once the grace period was over: lag, not a difference."""

    @property
    def consistent(self) -> bool:
        return not (self.different or self.missing)


def talk_stream(talk_id: str) -> str:
    return f"talk/{talk_id}"


def conference_stream(conference_id: str) -> str:
    return f"conference/{conference_id}"


class ConsistencyCheck:
    def __init__(
        self,
        write_model: WriteModel,
        read_store: ReadStore,
        *,
        grace_seconds: float = 5.0,
        batch: int = BATCH,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write_model
        self._read = read_store
        self._grace = grace_seconds
        self._batch = batch
        self._sleep = sleep
        self._clock = clock

    def aggregates(self, sample: int | None = None, rng: random.Random | None = None) -> list[str]:
        """Every talk and conference (streams), or a random ``sample`` of them."""
        every = [
            *map(conference_stream, self._write.conference_ids()),
            *map(talk_stream, self._write.talk_ids()),
        ]
        if sample is None or sample >= len(every):
            return every
        return (rng or random.Random()).sample(every, sample)

    def run(
        self, aggregates: Sequence[str], progress: Callable[[int], None] = lambda n: None
    ) -> CheckReport:
        """Compare ``aggregates``; ``progress`` hears how many were compared after each batch."""
        report = CheckReport(checked=len(aggregates))
        pending: list[str] = []
        for chunk in _chunks(aggregates, self._batch):
            for verdict in self.verdicts(chunk):
                if verdict.kind is Kind.EQUAL:
                    report.equal += 1
                else:
                    pending.append(verdict.aggregate)
            progress(len(chunk))
        final = self._look_again(pending, report)
        lists = {Kind.MISSING: report.missing, Kind.BEHIND: report.behind}
        for verdict in final:
            lists.get(verdict.kind, report.different).append(verdict)
        return report

    def _look_again(self, pending: list[str], report: CheckReport) -> list[Verdict]:
        """Re-check ``pending`` until each is equal or the grace period is over; the
        verdicts of those still not equal."""
        deadline = self._clock() + self._grace
        poll = max(0.05, min(0.5, self._grace / 10))
        latest: list[Verdict] = []
        while pending:
            self._sleep(poll)
            latest = [v for v in self.verdicts(pending) if v.kind is not Kind.EQUAL]
            report.caught_up += len(pending) - len(latest)
            pending = [v.aggregate for v in latest]
            if self._clock() >= deadline:
                break
        return latest

    def verdicts(self, aggregates: Sequence[str]) -> list[Verdict]:
        """One comparison of each aggregate, in the order given."""
        talks = [a.split("/", 1)[1] for a in aggregates if a.startswith("talk/")]
        conferences = [a.split("/", 1)[1] for a in aggregates if a.startswith("conference/")]
        found = {v.aggregate: v for v in [*self._talks(talks), *self._conferences(conferences)]}
        return [found[a] for a in aggregates if a in found]

    def _talks(self, ids: list[str]) -> Iterator[Verdict]:
        if not ids:
            return
        read_talks = self._read.load_talks(ids)
        talks = self._write.talks(ids)
        conference_ids = {talk.conference_id for talk in talks.values()}
        read_conferences = self._read.load_conferences(conference_ids)
        conferences = self._write.conferences(conference_ids)
        ratings = self._write.ratings(talks)
        for talk_id, talk in talks.items():
            conference = conferences.get(talk.conference_id)
            seen = read_conferences.get(talk.conference_id)
            behind = conference is not None and (seen is None or seen.version < conference.version)
            yield compare_talk(
                expected_talk(talk, ratings.get(talk_id), conference),
                read_talks.get(talk_id),
                conference_behind=behind,
            )

    def _conferences(self, ids: list[str]) -> Iterator[Verdict]:
        if not ids:
            return
        read_conferences = self._read.load_conferences(ids)
        read_counts = {i: self._read.talk_counts(i) for i in ids if i in read_conferences}
        conferences = self._write.conferences(ids)
        statuses = self._write.talk_statuses(conferences)
        for conference_id, conference in conferences.items():
            verdict = compare_conference(
                expected_conference(conference),
                read_conferences.get(conference_id),
                expected_counts(conference, statuses.get(conference_id, {})),
                read_counts.get(conference_id, {}),
            )
            if verdict.kind is Kind.DIFFERENT and _only_counts(verdict):
                verdict = self._settle_counts(conference_id, list(statuses.get(conference_id, {})))
            yield verdict

    def _settle_counts(self, conference_id: str, talk_ids: list[str]) -> Verdict:
        """A conference's talk counts carry no version mark of their own: they are an
        aggregation over its talk documents. When they differ, look at those documents:
        read side first (its talks, then the counts), then the write side. A count that
        still differs is lag if one of the talks is behind (or is newer than the first
        look); if every talk is caught up, the aggregation itself is wrong."""
        read_talks = self._read.load_talks(talk_ids)
        read_conference = self._read.load_conferences([conference_id]).get(conference_id)
        read_counts = self._read.talk_counts(conference_id)
        conference = self._write.conferences([conference_id])[conference_id]
        statuses = self._write.talk_statuses([conference_id]).get(conference_id, {})
        talks = self._write.talks(talk_ids)
        verdict = compare_conference(
            expected_conference(conference),
            read_conference,
            expected_counts(conference, statuses),
            read_counts,
        )
        if verdict.kind is not Kind.DIFFERENT or not _only_counts(verdict):
            return verdict
        behind = set(statuses) - set(talk_ids) or any(
            (seen := read_talks.get(talk_id)) is None
            or not seen.is_visible
            or seen.talk_version < talk.version
            for talk_id, talk in talks.items()
        )
        return Verdict(verdict.aggregate, Kind.BEHIND, verdict.differences) if behind else verdict


def _only_counts(verdict: Verdict) -> bool:
    return all(d.field.startswith("counts.") for d in verdict.differences)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
