"""A synthetic programme for the search benchmark: many talks with realistic spreads.

Titles and abstracts are drawn from a vocabulary of made-up words so the index has the
size and shape of real text; a few words are placed on purpose: ``COMMON`` in about a
third of the talks, ``SECOND`` in about a quarter, each of ``RARE`` in about 0.1%. Tags,
levels, formats, statuses, days, stages and ratings are spread the way a large call for
papers spreads them. Deterministic for a given seed, so two runs search the same file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from query_service.documents import (
    ConferenceDocument,
    DocumentSlot,
    DocumentSpeaker,
    DocumentTalkDetails,
    RatingSummary,
    TalkDocument,
)

CONFERENCE = "conference-bench"
DAYS = ("2027-06-01", "2027-06-02", "2027-06-03", "2027-06-04", "2027-06-05")
STAGES = ("Main", "Hall A", "Hall B", "Hall C", "Workshop Room")
TAGS = (
    "rust",
    "python",
    "go",
    "java",
    "kotlin",
    "swift",
    "typescript",
    "react",
    "vue",
    "databases",
    "postgres",
    "sqlite",
    "kubernetes",
    "docker",
    "cloud",
    "security",
    "privacy",
    "testing",
    "observability",
    "performance",
    "ml",
    "ai",
    "data-engineering",
    "streaming",
    "devops",
    "frontend",
    "backend",
    "mobile",
    "accessibility",
    "design",
    "architecture",
    "ddd",
    "cqrs",
    "events",
    "career",
    "leadership",
    "community",
    "open-source",
    "hardware",
    "iot",
)
LEVELS = ("beginner", "intermediate", "advanced")
FORMATS = ("talk", "lightning", "workshop", "keynote")
STATUSES = (
    ("submitted", 40),
    ("accepted", 15),
    ("scheduled", 30),
    ("rejected", 10),
    ("withdrawn", 5),
)
COMMON = "python"
SECOND = "testing"
RARE = ("zeppelin", "quokka", "obsidian")
_SYLLABLES = ("ba", "be", "bi", "bo", "bu", *(c + v for c in "dklmnrstv" for v in "aeio"))


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def conference() -> ConferenceDocument:
    return ConferenceDocument(
        id=CONFERENCE,
        version=1,
        name="Benchmark Conference",
        starts_on=DAYS[0],
        ends_on=DAYS[-1],
        timezone="UTC",
        stages=STAGES,
    )


def talks(count: int, seed: int = 7) -> Iterator[TalkDocument]:
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 4000)
    names = [f"{a} {b}" for a in _vocabulary(rng, 60) for b in _vocabulary(rng, 60)]
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    submitted = datetime(2027, 1, 1, tzinfo=UTC)
    for index in range(count):
        title = [rng.choice(vocabulary) for _ in range(rng.randint(3, 7))]
        abstract = [rng.choice(vocabulary) for _ in range(rng.randint(30, 80))]
        if rng.random() < 1 / 3:
            (title if rng.random() < 0.3 else abstract).insert(rng.randrange(3), COMMON)
        if rng.random() < 1 / 4:
            abstract.insert(rng.randrange(len(abstract)), SECOND)
        for rare in RARE:
            if rng.random() < 0.001:
                abstract.insert(rng.randrange(len(abstract)), rare)
        status = rng.choices(statuses, weights)[0]
        slot = None
        if status == "scheduled":
            day = rng.choice(DAYS)
            start = datetime.fromisoformat(f"{day}T09:00:00+00:00") + timedelta(
                minutes=10 * rng.randrange(60)
            )
            slot = DocumentSlot(
                conference_id=CONFERENCE,
                stage=rng.choice(STAGES),
                starts_at=start.isoformat(),
                ends_at=(start + timedelta(minutes=40)).isoformat(),
                day=day,
                timezone="UTC",
            )
        ratings = rng.randint(0, 40) if status == "scheduled" else 0
        total = sum(rng.randint(1, 5) for _ in range(ratings))
        yield TalkDocument(
            id=f"talk-{index:06d}",
            details=DocumentTalkDetails(
                conference_id=CONFERENCE,
                title=" ".join(title).capitalize(),
                abstract=" ".join(abstract).capitalize() + ".",
                speakers=tuple(
                    DocumentSpeaker(rng.choice(names).title(), rng.choice((None, "ACME")))
                    for _ in range(rng.choice((1, 1, 1, 2)))
                ),
                tags=tuple(rng.sample(TAGS, rng.randint(1, 4))),
                level=rng.choice(LEVELS),
                format=rng.choices(FORMATS, (70, 15, 10, 5))[0],
                duration_minutes=40,
            ),
            lifecycle="accepted" if status == "scheduled" else status,
            submitted_at=(submitted + timedelta(minutes=7 * index)).isoformat(),
            talk_version=1,
            slot=slot,
            schedule_version=1 if slot else 0,
            rating=RatingSummary(ratings, total, round(total / ratings, 2) if ratings else 0.0),
            rating_version=ratings,
        )
