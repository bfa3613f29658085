"""The keyword fields of a talk: what a search filters on and counts as facets.

Each field is one row per (talk, value) in ``<g>_talk_fields``, indexed both ways: by
(field, value) to narrow a search to the talks holding a value, by talk to count the values
of a set of matches in one grouped pass. Adding a filter or facet is one entry here (and
the facet's name in the port's ``FACET_FIELDS``); no column, index or SQL changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from query_service.documents import TalkDocument
from query_service.read_store.port import TalkQuery


@dataclass(frozen=True)
class KeywordField:
    name: str
    of_talk: Callable[[TalkDocument], Iterable[str | None]]
    """The talk's values (a visible talk's details exist)."""
    of_query: Callable[[TalkQuery], tuple[str, ...]]
    """The values a query asks for; empty when it does not filter on this field."""
    all_must_match: bool = False
    """True: a talk needs every asked value (tags); False: any one of them."""
    facet: bool = True


def _details(talk: TalkDocument) -> tuple[str, str, str, tuple[str, ...]]:
    assert talk.details is not None, "only visible talks have keyword fields"
    d = talk.details
    return d.conference_id, d.level, d.format, d.tags


def _language(talk: TalkDocument) -> str:
    assert talk.details is not None, "only visible talks have keyword fields"
    return talk.details.language


FIELDS = (
    KeywordField(
        "conference",
        lambda t: (_details(t)[0],),
        lambda q: () if q.conference_id is None else (q.conference_id,),
        facet=False,
    ),
    KeywordField("tag", lambda t: _details(t)[3], lambda q: q.tags, all_must_match=True),
    KeywordField("level", lambda t: (_details(t)[1],), lambda q: q.levels),
    KeywordField("format", lambda t: (_details(t)[2],), lambda q: q.formats),
    KeywordField("language", lambda t: (_language(t),), lambda q: q.languages),
    KeywordField("status", lambda t: (t.status,), lambda q: q.statuses),
    KeywordField("stage", lambda t: (t.slot.stage if t.slot else None,), lambda q: q.stages),
    KeywordField(
        "day",
        lambda t: (t.slot.day if t.slot else None,),
        lambda q: tuple(d.isoformat() for d in q.days),
    ),
)

FACETS = tuple(f.name for f in FIELDS if f.facet)


def field_rows(talk: TalkDocument) -> list[tuple[str, str]]:
    """(field, value) of a visible talk, each value once."""
    rows = {(f.name, v) for f in FIELDS for v in f.of_talk(talk) if v is not None}
    return sorted(rows)
