"""A conference's talk counts carry no version mark: when they differ, the check looks at
the conference's talk documents to tell lag (a talk behind, or newer than the first look)
from a wrong aggregation (every talk caught up, the counts still off)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from query_service.consistency.check import ConsistencyCheck
from query_service.consistency.compare import Kind
from query_service.consistency.expected import expected_conference
from query_service.consistency.write_model import WriteModel
from query_service.documents import ConferenceDocument
from query_service.read_store.port import ReadStore
from shared_domain.conference import Conference
from shared_domain.talk import TalkStatus
from tests.unit.command.builders import conference


@dataclass
class Talk:
    version: int


@dataclass
class ReadTalk:
    talk_version: int
    is_visible: bool = True


@dataclass
class Models:
    """Both sides, as the check reads them (a write model and a read store in one)."""

    conference: Conference
    statuses: dict[str, TalkStatus]
    versions: dict[str, int]
    read_versions: dict[str, int]
    read_counts: list[dict[str, int]]
    """The successive answers of ``talk_counts`` (the last one repeats)."""
    counts_asked: int = 0
    read_conference: ConferenceDocument = field(init=False)

    def __post_init__(self) -> None:
        self.read_conference = expected_conference(self.conference)

    # write model
    def conferences(self, ids: Iterable[str]) -> Mapping[str, Conference]:
        return {self.conference.id: self.conference}

    def talk_statuses(self, ids: Iterable[str]) -> Mapping[str, dict[str, TalkStatus]]:
        return {self.conference.id: dict(self.statuses)}

    def talks(self, ids: Iterable[str]) -> Mapping[str, Talk]:
        return {i: Talk(self.versions[i]) for i in ids if i in self.versions}

    # read store
    def load_conferences(self, ids: Iterable[str]) -> Mapping[str, ConferenceDocument]:
        return {self.conference.id: self.read_conference}

    def load_talks(self, ids: Iterable[str]) -> Mapping[str, ReadTalk]:
        return {i: ReadTalk(self.read_versions[i]) for i in ids if i in self.read_versions}

    def talk_counts(self, conference_id: str) -> Mapping[str, int]:
        answer = self.read_counts[min(self.counts_asked, len(self.read_counts) - 1)]
        self.counts_asked += 1
        return answer


def verdict_of(models: Models) -> Kind:
    both: Any = models
    check = ConsistencyCheck(cast(WriteModel, both), cast(ReadStore, both), grace_seconds=0)
    (verdict,) = check.verdicts([f"conference/{models.conference.id}"])
    return verdict.kind


SUBMITTED = {"t-1": TalkStatus.SUBMITTED, "t-2": TalkStatus.ACCEPTED}


def test_counts_off_while_a_talk_is_behind_are_lag() -> None:
    models = Models(
        conference(),
        SUBMITTED,
        versions={"t-1": 1, "t-2": 2},
        read_versions={"t-1": 1, "t-2": 1},  # t-2's acceptance not projected yet
        read_counts=[{"submitted": 2}],
    )
    assert verdict_of(models) is Kind.BEHIND


def test_counts_off_while_a_talk_is_not_projected_yet_are_lag() -> None:
    models = Models(
        conference(),
        SUBMITTED,
        versions={"t-1": 1, "t-2": 2},
        read_versions={"t-1": 1},
        read_counts=[{"submitted": 1}],
    )
    assert verdict_of(models) is Kind.BEHIND


def test_counts_off_with_every_talk_caught_up_are_a_difference() -> None:
    models = Models(
        conference(),
        SUBMITTED,
        versions={"t-1": 1, "t-2": 2},
        read_versions={"t-1": 1, "t-2": 2},
        read_counts=[{"submitted": 1, "accepted": 2}],
    )
    assert verdict_of(models) is Kind.DIFFERENT


def test_counts_that_caught_up_by_the_second_look_are_equal() -> None:
    models = Models(
        conference(),
        SUBMITTED,
        versions={"t-1": 1, "t-2": 2},
        read_versions={"t-1": 1, "t-2": 2},
        read_counts=[{"submitted": 2}, {"submitted": 1, "accepted": 1}],
    )
    assert verdict_of(models) is Kind.EQUAL


def test_a_talk_submitted_between_the_two_looks_is_lag() -> None:
    class Growing(Models):
        looks = 0

        def talk_statuses(self, ids: Iterable[str]) -> Mapping[str, dict[str, TalkStatus]]:
            self.looks += 1
            more = {"t-3": TalkStatus.SUBMITTED} if self.looks > 1 else {}
            return {self.conference.id: {**self.statuses, **more}}

    models = Growing(
        conference(),
        SUBMITTED,
        versions={"t-1": 1, "t-2": 2, "t-3": 1},
        read_versions={"t-1": 1, "t-2": 2},
        read_counts=[{"submitted": 2}, {"submitted": 1, "accepted": 1}],
    )
    assert verdict_of(models) is Kind.BEHIND
