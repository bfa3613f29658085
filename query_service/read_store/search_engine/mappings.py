"""Explicit index settings and mappings (plain dicts), the same for both engines.

Why explicit: dynamic mapping would guess ``text`` + ``keyword`` for everything, with no
stemming, no sort normaliser and the talk's JSON indexed field by field. Here:

- full text: ``english`` analyser (stemming, stop words) on title, abstract, speaker names
  and tags, plus a ``plain`` (``standard``) twin of each: typo tolerance runs on the words
  as written, since stems are too short to compare with a misspelling
  ("operators" -> "oper", "operatrs" -> "operatr"), as in the SQLite store (ADR 012);
- facets and filters: keywords (tags, level, format, language, status, stage, day,
  conference id);
- sorting: ``title.sort`` keyword with a lower-case normaliser, numeric epoch milliseconds
  for times (``search_after`` round-trips numbers exactly; date fields re-parse them);
- speakers: ``nested`` objects with a normalised key, so they can be grouped per person
  and counted per distinct talk (``reverse_nested``);
- the read-model document itself: ``doc``, stored and never indexed, so it round-trips
  exactly through the shared JSON codec.

One shard per index: relevance statistics and facet counts are then exact, and a
conference programme is far below the size where sharding pays.
"""

from __future__ import annotations

from service_conventions.json_types import JsonDict

_KEYWORD: JsonDict = {"type": "keyword"}
SIMILARITY = "stable_bm25"
STABLE_BM25: JsonDict = {
    "type": "scripted",
    "script": {
        "source": (
            "double tf = doc.freq; "
            "double norm = 0.25 + 0.75 * doc.length / 8.0; "
            "return query.boost * tf * 2.2 / (tf + 1.2 * norm);"
        )
    },
}
"""BM25's saturating term frequency and length normalisation, without the corpus
statistics (idf, average length). A talk's score then depends only on the talk and the
query, so writes to other talks between two pages never shift scores, and relevance
``search_after`` cursors stay exact (ADR 050). Every word must match anyway, so idf would
only reweigh the words of one query against each other."""
_STEMMED: JsonDict = {"type": "text", "analyzer": "english", "similarity": SIMILARITY}
_PLAIN: JsonDict = {"type": "text", "analyzer": "standard", "similarity": SIMILARITY}


def _text(**extra_fields: JsonDict) -> JsonDict:
    return {**_STEMMED, "fields": {"plain": _PLAIN, **extra_fields}}


def _settings(replicas: int, *, analysis: JsonDict | None = None) -> JsonDict:
    settings: JsonDict = {"number_of_shards": 1, "number_of_replicas": replicas}
    if analysis:
        settings["analysis"] = analysis
    return settings


def talks_index(replicas: int) -> JsonDict:
    return {
        "settings": _settings(
            replicas,
            analysis={"normalizer": {"sort_key": {"type": "custom", "filter": ["lowercase"]}}},
        )
        | {"similarity": {SIMILARITY: STABLE_BM25}},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": _KEYWORD,
                "doc": {"type": "object", "enabled": False},
                "visible": {"type": "boolean"},
                "conference_id": _KEYWORD,
                "status": _KEYWORD,
                "level": _KEYWORD,
                "format": _KEYWORD,
                "language": _KEYWORD,
                "tags": {
                    "type": "keyword",
                    "fields": {"text": _STEMMED, "plain": _PLAIN},
                },
                "stage": _KEYWORD,
                "day": _KEYWORD,
                "starts_ms": {"type": "long"},
                "submitted_ms": {"type": "long"},
                "title": _text(sort={"type": "keyword", "normalizer": "sort_key"}),
                "abstract": _text(),
                "speaker_names": _text(),
                "speakers": {
                    "type": "nested",
                    "properties": {"key": _KEYWORD, "name": _KEYWORD, "company": _KEYWORD},
                },
                "rating_average": {"type": "double"},
                "rating_count": {"type": "integer"},
            },
        },
    }


ADDED_TALK_FIELDS: JsonDict = {"properties": {"language": _KEYWORD}}
"""Fields added to the talks mapping since its first version (additive): put on an older
index at start-up so that it takes new documents. Its documents lack them until rewritten;
the queries read a missing ``language`` as English (``query_builder.MISSING_AS``)."""


def conferences_index(replicas: int) -> JsonDict:
    return {
        "settings": _settings(replicas),
        "mappings": {
            "dynamic": "strict",
            "properties": {"id": _KEYWORD, "doc": {"type": "object", "enabled": False}},
        },
    }


def checkpoints_index(replicas: int) -> JsonDict:
    return {
        "settings": _settings(replicas),
        "mappings": {
            "dynamic": "strict",
            "properties": {"consumer": _KEYWORD, "position": {"type": "long"}},
        },
    }


def dead_letters_index(replicas: int) -> JsonDict:
    return {
        "settings": _settings(replicas),
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": {"type": "long"},
                "seq": {"type": "long"},
                "position": {"type": "long"},
                "event_id": _KEYWORD,
                "event_type": _KEYWORD,
                "stream": _KEYWORD,
                "reason": {"type": "text", "index": False},
                "envelope": {"type": "text", "index": False},
                "attempts": {"type": "integer"},
                "parked_at": {"type": "date"},
            },
        },
    }


def applied_events_index(replicas: int) -> JsonDict:
    return {
        "settings": _settings(replicas),
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "seq": {"type": "long"},
                "event_id": _KEYWORD,  # one entry per batch: all the ids it applied
                "applied_at": {"type": "date"},
            },
        },
    }


def index_body(kind: str, replicas: int) -> JsonDict:
    builders = {
        "talks": talks_index,
        "conferences": conferences_index,
        "checkpoints": checkpoints_index,
        "dead-letters": dead_letters_index,
        "applied-events": applied_events_index,
    }
    return builders[kind](replicas)
