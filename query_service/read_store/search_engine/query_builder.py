"""The search model of the port -> request bodies (plain dicts), and responses -> pages.

Pure functions, no client: the Elasticsearch and OpenSearch adapters send exactly these
bodies, and the unit tests check them without an engine. Semantics mirror the SQLite
store (ADR 012), so every adapter answers the same:

- every word of the text must match somewhere (title x3, speaker names x2, abstract,
  tags): one clause per word, stemmed fields first, typo-tolerant (``fuzziness: AUTO``)
  unstemmed twins at a lower weight;
- filters: ``tags`` all, every other filter any of its values, only visible talks;
- every sort ends with the id, so sort keys are unique and ``search_after`` (the cursor
  of cursor.py) visits every match exactly once;
- facets are terms aggregations over all matches (count desc, value asc, 50 at most).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from query_service.read_store.cursor import SortKey, encode_cursor
from query_service.read_store.port import (
    FACET_FIELDS,
    FacetCount,
    SpeakerQuery,
    SpeakerSummary,
    TalkHit,
    TalkPage,
    TalkQuery,
    TalkSort,
    TopTalksQuery,
)
from query_service.read_store.search_engine.indexed import talk_from_source
from query_service.read_store.text import speaker_key, words
from service_conventions.json_types import JsonDict
from shared_domain.values import DEFAULT_LANGUAGE

MAX_FACET_VALUES = 50
FUZZY_WEIGHT = 0.3
"""Typo-tolerant matches count, but less than words matched as written (or stemmed)."""
SNIPPET_CHARS = 160
SPEAKER_STATUSES = ("submitted", "accepted", "scheduled")
"""Speakers count talks still in the programme or its pipeline, not rejected or withdrawn."""

STEMMED_FIELDS = ("title^3", "speaker_names^2", "abstract", "tags.text")
PLAIN_FIELDS = ("title.plain^3", "speaker_names.plain^2", "abstract.plain", "tags.plain")

# The port's facet names -> indexed fields.
FACET_SOURCES = {
    "tag": "tags",
    "level": "level",
    "format": "format",
    "language": "language",
    "status": "status",
    "stage": "stage",
    "day": "day",
}

MISSING_AS = {"language": DEFAULT_LANGUAGE}
"""What a document indexed before the field existed holds (v1 talks are English), so an
older index serves the filter and facet without a rebuild."""

# Highlight name in the API -> (stemmed field, unstemmed twin).
HIGHLIGHT_FIELDS = {
    "title": ("title", "title.plain"),
    "speakers": ("speaker_names", "speaker_names.plain"),
    "abstract": ("abstract", "abstract.plain"),
    "tags": ("tags.text", "tags.plain"),
}

_ID: JsonDict = {"id": {"order": "asc"}}
SORTS: dict[TalkSort, list[JsonDict]] = {
    TalkSort.RELEVANCE: [{"_score": {"order": "desc"}}, _ID],
    TalkSort.RATING: [
        {"rating_average": {"order": "desc"}},
        {"rating_count": {"order": "desc"}},
        _ID,
    ],
    TalkSort.STARTS_AT: [{"starts_ms": {"order": "asc", "missing": "_last"}}, _ID],
    TalkSort.NEWEST: [{"submitted_ms": {"order": "desc", "missing": "_last"}}, _ID],
    TalkSort.TITLE: [{"title.sort": {"order": "asc"}}, _ID],
}
SCHEDULE_SORT: list[JsonDict] = [
    {"starts_ms": {"order": "asc"}},
    {"stage": {"order": "asc"}},
    _ID,
]
TOP_TALKS_SORT: list[JsonDict] = [
    {"rating_average": {"order": "desc"}},
    {"rating_count": {"order": "desc"}},
    {"starts_ms": {"order": "asc", "missing": "_last"}},
    _ID,
]


# --- talk search ----------------------------------------------------------------------


def sort_for(query: TalkQuery) -> list[JsonDict]:
    sort = query.effective_sort
    if sort is TalkSort.RELEVANCE and not query.text:
        # Without a text every talk is equally relevant: fall back to the programme order.
        return SORTS[TalkSort.STARTS_AT]
    return SORTS[sort]


def _terms(field: str, values: Sequence[str]) -> JsonDict:
    terms: JsonDict = {"terms": {field: list(values)}}
    if MISSING_AS.get(field) not in values:
        return terms
    missing = {"bool": {"must_not": [{"exists": {"field": field}}]}}
    return {"bool": {"should": [terms, missing], "minimum_should_match": 1}}


def talk_filters(query: TalkQuery) -> list[JsonDict]:
    filters: list[JsonDict] = [{"term": {"visible": True}}]
    if query.conference_id is not None:
        filters.append({"term": {"conference_id": query.conference_id}})
    filters += [{"term": {"tags": tag}} for tag in query.tags]
    for field, values in (
        ("level", query.levels),
        ("format", query.formats),
        ("language", query.languages),
        ("status", query.statuses),
        ("stage", query.stages),
        ("day", tuple(d.isoformat() for d in query.days)),
    ):
        if values:
            filters.append(_terms(field, values))
    return filters


def word_clause(word: str) -> JsonDict:
    """One word must match in some field: stemmed as written, or one or two edits away."""
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": word,
                        "fields": list(STEMMED_FIELDS),
                        "type": "best_fields",
                        "operator": "and",
                    }
                },
                {
                    "multi_match": {
                        "query": word,
                        "fields": list(PLAIN_FIELDS),
                        "type": "best_fields",
                        "operator": "and",
                        "fuzziness": "AUTO",
                        "boost": FUZZY_WEIGHT,
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def highlight_request() -> JsonDict:
    whole: JsonDict = {"number_of_fragments": 0}
    snippet: JsonDict = {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1}
    fields: JsonDict = {}
    for name, pair in HIGHLIGHT_FIELDS.items():
        for field in pair:
            fields[field] = snippet if name == "abstract" else whole
    return {
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "encoder": "html",
        "require_field_match": True,
        "fields": fields,
    }


def facet_aggregations() -> JsonDict:
    return {
        name: {
            "terms": {
                "field": FACET_SOURCES[name],
                "size": MAX_FACET_VALUES,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
            | ({"missing": MISSING_AS[name]} if name in MISSING_AS else {})
        }
        for name in FACET_FIELDS
    }


def search_body(query: TalkQuery, after: SortKey | None) -> JsonDict | None:
    """The request of one page (one item more than the page, to know if another follows),
    or None when the text holds no searchable word (it then matches nothing)."""
    text_words = words(query.text) if query.text else []
    if query.text and not text_words:
        return None
    boolean: JsonDict = {"filter": talk_filters(query)}
    if text_words:
        boolean["must"] = [word_clause(w) for w in text_words]
    body: JsonDict = {
        "query": {"bool": boolean},
        "sort": sort_for(query),
        "size": query.size + 1,
        "track_total_hits": True,
        "_source": ["doc"],
        "aggs": facet_aggregations(),
    }
    if text_words:
        body["highlight"] = highlight_request()
    if after is not None:
        body["search_after"] = list(after)
    return body


def parse_highlight(raw: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Fragments per API field. Typo-tolerant (unstemmed) matches only show where nothing
    matched as written, as in the SQLite store, so a near-miss never adds noise."""
    if not raw:
        return {}
    exact = {
        name: list(raw[stemmed])
        for name, (stemmed, _) in HIGHLIGHT_FIELDS.items()
        if raw.get(stemmed)
    }
    if exact:
        return exact
    return {
        name: list(raw[plain]) for name, (_, plain) in HIGHLIGHT_FIELDS.items() if raw.get(plain)
    }


def parse_facets(aggregations: Mapping[str, Any]) -> dict[str, list[FacetCount]]:
    return {
        name: [
            FacetCount(value=str(b["key"]), count=int(b["doc_count"]))
            for b in aggregations.get(name, {}).get("buckets", [])
        ]
        for name in FACET_FIELDS
    }


def empty_page() -> TalkPage:
    return TalkPage(total=0, items=[], facets={n: [] for n in FACET_FIELDS}, next_cursor=None)


def parse_page(query: TalkQuery, response: Mapping[str, Any]) -> TalkPage:
    hits = response["hits"]["hits"]
    page = hits[: query.size]
    next_cursor = encode_cursor(query, page[-1]["sort"]) if len(hits) > query.size else None
    items = [
        TalkHit(talk=talk_from_source(h["_source"]), highlight=parse_highlight(h.get("highlight")))
        for h in page
    ]
    total = response["hits"]["total"]
    return TalkPage(
        total=int(total["value"] if isinstance(total, Mapping) else total),
        items=items,
        facets=parse_facets(response.get("aggregations", {})),
        next_cursor=next_cursor,
    )


# --- lookups and aggregations ----------------------------------------------------------


def _visible_of(conference_id: str) -> list[JsonDict]:
    return [{"term": {"visible": True}}, {"term": {"conference_id": conference_id}}]


def talk_counts_body(conference_id: str) -> JsonDict:
    return {
        "size": 0,
        "query": {"bool": {"filter": _visible_of(conference_id)}},
        "aggs": {"status": {"terms": {"field": "status", "size": 20}}},
    }


def parse_talk_counts(response: Mapping[str, Any]) -> dict[str, int]:
    buckets = response["aggregations"]["status"]["buckets"]
    return {str(b["key"]): int(b["doc_count"]) for b in sorted(buckets, key=lambda b: b["key"])}


def scheduled_talks_body(conference_id: str, day: date | None, page_size: int) -> JsonDict:
    filters = [*_visible_of(conference_id), {"term": {"status": "scheduled"}}]
    if day is not None:
        filters.append({"term": {"day": day.isoformat()}})
    return {
        "size": page_size,
        "query": {"bool": {"filter": filters}},
        "sort": SCHEDULE_SORT,
        "_source": ["doc"],
    }


def top_talks_body(query: TopTalksQuery) -> JsonDict:
    filters = [
        *_visible_of(query.conference_id),
        {"term": {"status": "scheduled"}},
        {"range": {"rating_count": {"gte": query.min_ratings}}},
    ]
    if query.day is not None:
        filters.append({"term": {"day": query.day.isoformat()}})
    return {
        "size": query.limit,
        "query": {"bool": {"filter": filters}},
        "sort": TOP_TALKS_SORT,
        "_source": ["doc"],
    }


def _wildcard_literal(text: str) -> str:
    return "".join("\\" + c if c in "*?\\" else c for c in text)


def speakers_body(query: SpeakerQuery, partition: int, partitions: int, size: int) -> JsonDict:
    """One partition of the speakers, grouped by normalised name. ``reverse_nested`` counts
    distinct talks; the smallest name of the group is shown (as SQLite's ``min(name)``)."""
    filters: list[JsonDict] = [
        {"term": {"visible": True}},
        {"terms": {"status": list(SPEAKER_STATUSES)}},
    ]
    if query.conference_id is not None:
        filters.append({"term": {"conference_id": query.conference_id}})
    speaker_filter: JsonDict = {"match_all": {}}
    if query.text:
        pattern = f"*{_wildcard_literal(speaker_key(query.text))}*"
        speaker_filter = {"wildcard": {"speakers.key": {"value": pattern}}}
        filters.append({"nested": {"path": "speakers", "query": speaker_filter}})
    return {
        "size": 0,
        "query": {"bool": {"filter": filters}},
        "aggs": {
            "speakers": {
                "nested": {"path": "speakers"},
                "aggs": {
                    "matching": {
                        "filter": speaker_filter,
                        "aggs": {
                            "count": {"cardinality": {"field": "speakers.key"}},
                            "by_key": {
                                "terms": {
                                    "field": "speakers.key",
                                    "size": size,
                                    "include": {
                                        "partition": partition,
                                        "num_partitions": partitions,
                                    },
                                    "order": {"_key": "asc"},
                                },
                                "aggs": {
                                    "talks": {"reverse_nested": {}},
                                    "name": {
                                        "terms": {
                                            "field": "speakers.name",
                                            "size": 1,
                                            "order": {"_key": "asc"},
                                        }
                                    },
                                    "companies": {
                                        "terms": {
                                            "field": "speakers.company",
                                            "size": 1000,
                                            "order": {"_key": "asc"},
                                        }
                                    },
                                },
                            },
                        },
                    }
                },
            }
        },
    }


def speakers_partition(response: Mapping[str, Any]) -> tuple[list[JsonDict], int, int]:
    """The buckets of one partition, how many keys it left out, and the approximate
    number of distinct speakers overall."""
    matching = response["aggregations"]["speakers"]["matching"]
    by_key = matching["by_key"]
    return (
        list(by_key["buckets"]),
        int(by_key.get("sum_other_doc_count", 0)),
        int(matching["count"]["value"]),
    )


def parse_speaker(bucket: Mapping[str, Any]) -> SpeakerSummary:
    names = bucket["name"]["buckets"]
    return SpeakerSummary(
        name=str(names[0]["key"]) if names else str(bucket["key"]),
        companies=tuple(str(b["key"]) for b in bucket["companies"]["buckets"] if b["key"]),
        talk_count=int(bucket["talks"]["doc_count"]),
    )
