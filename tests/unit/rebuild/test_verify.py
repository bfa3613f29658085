from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.rebuild.verify import differing_fields, sampled, verify


class Documents:
    """The two loads ``verify`` reads of a store, from dictionaries."""

    def __init__(
        self, talks: dict[str, TalkDocument], conferences: dict[str, ConferenceDocument]
    ) -> None:
        self.talks, self.conferences = talks, conferences

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]:
        return {i: self.talks[i] for i in ids if i in self.talks}

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]:
        return {i: self.conferences[i] for i in ids if i in self.conferences}


CONFERENCE = ConferenceDocument("c1", 1, "Conf", "2026-06-01", "2026-06-02", "UTC", ("Main",))


def test_equal_documents_have_no_differing_field() -> None:
    assert differing_fields(CONFERENCE, dataclasses.replace(CONFERENCE)) == ()
    assert differing_fields(None, None) == ()


def test_the_differing_fields_or_the_missing_side_are_named() -> None:
    renamed = dataclasses.replace(CONFERENCE, name="Other", version=2)
    assert differing_fields(renamed, CONFERENCE) == ("version", "name")
    assert differing_fields(None, CONFERENCE) == ("missing from the rebuilt generation",)
    assert differing_fields(CONFERENCE, None) == ("missing from the serving generation",)


def test_a_difference_that_settles_on_the_second_look_is_not_one() -> None:
    rebuilt = Documents({"t1": TalkDocument("t1")}, {})
    serving = Documents({"t1": TalkDocument("t1", talk_version=1)}, {})

    report = verify(
        rebuilt,
        serving,
        ["t1"],
        [],
        settle=lambda: rebuilt.talks.update(t1=TalkDocument("t1", talk_version=1)),
        grace_seconds=0,
    )

    assert (report.compared, report.equal) == (1, True)


def test_a_lasting_difference_is_reported() -> None:
    rebuilt = Documents({}, {"c1": CONFERENCE})
    serving = Documents({}, {"c1": dataclasses.replace(CONFERENCE, name="Tampered")})

    report = verify(rebuilt, serving, [], ["c1"], grace_seconds=0)

    assert [str(m) for m in report.mismatches] == ["conference/c1: name"]


def test_a_sample_is_that_many_distinct_ids_all_when_it_is_larger() -> None:
    ids = [str(i) for i in range(10)]
    picked = sampled(ids, 3, random.Random(1))
    assert len(set(picked)) == 3
    assert set(picked) <= set(ids)
    assert sampled(ids, 30, random.Random(1)) == ids
    assert sampled(ids, None, random.Random(1)) == ids
