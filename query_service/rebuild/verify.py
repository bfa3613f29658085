"""Compare a rebuilt generation with the serving one, document by document.

Both were projected from the same events, so at equal version marks they must be equal.
While traffic flows one side may be an event ahead: a document whose marks differ is
looked at again after the rebuilt side caught up and a grace period, and counts as a
difference only if it still differs. The stores and the ids are handed in.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from query_service.documents import ConferenceDocument, TalkDocument

Document = TalkDocument | ConferenceDocument
CHUNK = 500


class Documents(Protocol):
    """What verify reads of each generation (a ``ProjectionStore`` has both)."""

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]: ...

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]: ...


@dataclass(frozen=True)
class Mismatch:
    document: str
    """``talk/<id>`` or ``conference/<id>``."""
    fields: tuple[str, ...]
    """The fields that differ, or which side does not have the document at all."""

    def __str__(self) -> str:
        return f"{self.document}: {', '.join(self.fields)}"


@dataclass
class VerifyReport:
    compared: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def equal(self) -> bool:
        return not self.mismatches


def sampled(ids: Sequence[str], sample: int | None, rng: random.Random) -> list[str]:
    """All ``ids``, or ``sample`` of them at random."""
    if sample is None or sample >= len(ids):
        return list(ids)
    return rng.sample(list(ids), sample)


def verify(
    rebuilt: Documents,
    serving: Documents,
    talk_ids: Sequence[str],
    conference_ids: Sequence[str],
    *,
    settle: Callable[[], object] = lambda: None,
    grace_seconds: float = 2.0,
) -> VerifyReport:
    """Compare the documents; ``settle`` catches the rebuilt side up before a second look."""
    started = time.perf_counter()
    report = VerifyReport(compared=len(talk_ids) + len(conference_ids))

    def mismatches(talks: Iterable[str], conferences: Iterable[str]) -> list[Mismatch]:
        return _compare(rebuilt, serving, talks, conferences)

    first = mismatches(talk_ids, conference_ids)
    if first:
        settle()
        time.sleep(grace_seconds)
        again = {m.document for m in first}
        report.mismatches = mismatches(
            [d.split("/", 1)[1] for d in again if d.startswith("talk/")],
            [d.split("/", 1)[1] for d in again if d.startswith("conference/")],
        )
    report.seconds = time.perf_counter() - started
    return report


def _compare(
    rebuilt: Documents, serving: Documents, talks: Iterable[str], conferences: Iterable[str]
) -> list[Mismatch]:
    found: list[Mismatch] = []
    for kind, ids in (("talk", talks), ("conference", conferences)):
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            ours, theirs = _load(rebuilt, kind, chunk), _load(serving, kind, chunk)
            for key in chunk:
                fields = differing_fields(ours.get(key), theirs.get(key))
                if fields:
                    found.append(Mismatch(f"{kind}/{key}", fields))
    return found


def _load(store: Documents, kind: str, ids: list[str]) -> dict[str, Document]:
    if kind == "talk":
        return dict(store.load_talks(ids))
    return dict(store.load_conferences(ids))


def differing_fields(rebuilt: Document | None, serving: Document | None) -> tuple[str, ...]:
    """The top-level fields in which two documents differ, or which side lacks it."""
    if rebuilt == serving:  # the common case, in one comparison
        return ()
    if rebuilt is None:
        return ("missing from the rebuilt generation",)
    if serving is None:
        return ("missing from the serving generation",)
    return tuple(
        f.name
        for f in dataclasses.fields(rebuilt)
        if getattr(rebuilt, f.name) != getattr(serving, f.name)
    )
