"""The shared request bodies of the Elasticsearch and OpenSearch stores, checked without
an engine: plain dicts in, plain dicts out. Both adapters send exactly these bodies, so
these tests cover the Elasticsearch adapter's requests where no Elasticsearch runs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from query_service.read_store.cursor import decode_cursor
from query_service.read_store.port import (
    DeadLetter,
    DocumentVersionConflict,
    ReadStoreError,
    ReadStoreUnavailable,
    SpeakerQuery,
    TalkQuery,
    TalkSort,
    TopTalksQuery,
)
from query_service.read_store.search_engine import bulk, indexed, mappings
from query_service.read_store.search_engine import query_builder as qb
from query_service.read_store.search_engine.naming import IndexNames
from tests.contract.read_store.documents import talk


def _filters(body: dict[str, Any]) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = body["query"]["bool"]["filter"]
    return filters


def test_filters_tags_all_others_any() -> None:
    query = TalkQuery(
        conference_id="c1",
        tags=("python", "web"),
        levels=("beginner", "advanced"),
        days=(date(2025, 5, 1),),
    )
    body = qb.search_body(query, None)
    assert body is not None
    assert _filters(body) == [
        {"term": {"visible": True}},
        {"term": {"conference_id": "c1"}},
        {"term": {"tags": "python"}},
        {"term": {"tags": "web"}},
        {"terms": {"level": ["beginner", "advanced"]}},
        {"terms": {"day": ["2025-05-01"]}},
    ]
    assert "must" not in body["query"]["bool"]
    assert "highlight" not in body


def test_every_word_must_match_stemmed_or_with_typos() -> None:
    body = qb.search_body(TalkQuery(text="Kubernetes, operatrs!"), None)
    assert body is not None
    must = body["query"]["bool"]["must"]
    assert len(must) == 2
    stemmed, fuzzy = must[1]["bool"]["should"]
    assert stemmed["multi_match"]["query"] == "operatrs"
    assert stemmed["multi_match"]["fields"] == [
        "title^3",
        "speaker_names^2",
        "abstract",
        "tags.text",
    ]
    assert "fuzziness" not in stemmed["multi_match"]
    assert fuzzy["multi_match"]["fuzziness"] == "AUTO"
    assert fuzzy["multi_match"]["fields"][0] == "title.plain^3"
    assert must[1]["bool"]["minimum_should_match"] == 1


def test_text_without_words_needs_no_request() -> None:
    assert qb.search_body(TalkQuery(text='"*:-( )'), None) is None


def test_highlights_are_escaped_em_tags() -> None:
    body = qb.search_body(TalkQuery(text="scale"), None)
    assert body is not None
    highlight = body["highlight"]
    assert (highlight["pre_tags"], highlight["post_tags"]) == (["<em>"], ["</em>"])
    assert highlight["encoder"] == "html"
    assert highlight["fields"]["title"] == {"number_of_fragments": 0}
    assert highlight["fields"]["abstract"]["number_of_fragments"] == 1


@pytest.mark.parametrize("sort", list(TalkSort))
def test_every_sort_ends_with_the_id(sort: TalkSort) -> None:
    body = qb.search_body(TalkQuery(text="x", sort=sort), None)
    assert body is not None
    assert body["sort"][-1] == {"id": {"order": "asc"}}


def test_sorts() -> None:
    def sort_of(**kwargs: Any) -> list[dict[str, Any]]:
        return qb.sort_for(TalkQuery(**kwargs))

    assert sort_of(text="x")[0] == {"_score": {"order": "desc"}}
    assert sort_of() == sort_of(sort=TalkSort.STARTS_AT)
    assert sort_of(sort=TalkSort.RELEVANCE) == sort_of(sort=TalkSort.STARTS_AT)
    assert sort_of(sort=TalkSort.STARTS_AT)[0] == {
        "starts_ms": {"order": "asc", "missing": "_last"}
    }
    assert [next(iter(s)) for s in sort_of(sort=TalkSort.RATING)] == [
        "rating_average",
        "rating_count",
        "id",
    ]
    assert sort_of(sort=TalkSort.TITLE)[0] == {"title.sort": {"order": "asc"}}
    assert sort_of(sort=TalkSort.NEWEST)[0]["submitted_ms"]["order"] == "desc"


def test_pages_ask_one_more_and_continue_after_the_cursor_key() -> None:
    query = TalkQuery(size=2)
    body = qb.search_body(query, None)
    assert body is not None
    assert body["size"] == 3
    assert body["track_total_hits"] is True
    assert "search_after" not in body
    hits = [
        {"_source": {"doc": indexed.talk_source(talk("c"))["doc"]}, "sort": [i, f"t{i}"]}
        for i in range(3)
    ]
    response = {"hits": {"total": {"value": 7}, "hits": hits}, "aggregations": {}}
    page = qb.parse_page(query, response)
    assert (page.total, len(page.items)) == (7, 2)
    assert page.next_cursor is not None
    after = decode_cursor(TalkQuery(size=2, cursor=page.next_cursor), 2)
    assert after == [1, "t1"]
    follow = qb.search_body(TalkQuery(size=2, cursor=page.next_cursor), after)
    assert follow is not None
    assert follow["search_after"] == [1, "t1"]


def test_facets_over_all_matches() -> None:
    aggs = qb.facet_aggregations()
    assert set(aggs) == {"tag", "level", "format", "language", "status", "stage", "day"}
    assert aggs["language"]["terms"]["missing"] == "en"  # indexed before languages existed
    assert aggs["tag"]["terms"]["field"] == "tags"
    assert aggs["day"]["terms"]["order"] == [{"_count": "desc"}, {"_key": "asc"}]
    parsed = qb.parse_facets({"tag": {"buckets": [{"key": "go", "doc_count": 2}]}})
    assert parsed["tag"][0].value == "go"
    assert parsed["tag"][0].count == 2
    assert parsed["level"] == []


def test_typo_highlights_only_where_nothing_matched_as_written() -> None:
    raw = {"title": ["<em>Scaling</em>"], "speaker_names.plain": ["Kube <em>Scaler</em>"]}
    assert qb.parse_highlight(raw) == {"title": ["<em>Scaling</em>"]}
    assert qb.parse_highlight({"title.plain": ["<em>operators</em>"]}) == {
        "title": ["<em>operators</em>"]
    }
    assert qb.parse_highlight(None) == {}


def test_lookup_bodies() -> None:
    top = qb.top_talks_body(TopTalksQuery("c1", day=date(2025, 5, 2), limit=3, min_ratings=2))
    assert top["size"] == 3
    assert {"range": {"rating_count": {"gte": 2}}} in _filters(top)
    assert {"term": {"day": "2025-05-02"}} in _filters(top)
    assert {"term": {"status": "scheduled"}} in _filters(top)
    schedule = qb.scheduled_talks_body("c1", None, 100)
    assert [next(iter(s)) for s in schedule["sort"]] == ["starts_ms", "stage", "id"]
    counts = qb.talk_counts_body("c1")
    assert counts["aggs"]["status"]["terms"]["field"] == "status"


def test_speakers_group_by_key_and_escape_the_substring() -> None:
    body = qb.speakers_body(SpeakerQuery(text="  A*b?  "), 0, 1, 100)
    assert {"terms": {"status": ["submitted", "accepted", "scheduled"]}} in _filters(body)
    matching = body["aggs"]["speakers"]["aggs"]["matching"]
    assert matching["filter"] == {"wildcard": {"speakers.key": {"value": "*a\\*b\\?*"}}}
    by_key = matching["aggs"]["by_key"]
    assert by_key["terms"]["field"] == "speakers.key"
    assert by_key["terms"]["include"] == {"partition": 0, "num_partitions": 1}
    assert by_key["aggs"]["talks"] == {"reverse_nested": {}}


def test_talk_source_carries_search_fields_and_the_whole_document() -> None:
    doc = talk(
        "c1",
        title="Scaling",
        speakers=((" Ada  LOVELACE ", "ACME"),),
        lifecycle="accepted",
        slot=("Main", "2025-05-01T08:00:00+00:00", "2025-05-01"),
    )
    source = indexed.talk_source(doc)
    assert indexed.talk_from_source(source) == doc
    assert source["status"] == "scheduled"
    assert source["starts_ms"] == 1746086400000
    assert source["speakers"] == [
        {"key": "ada lovelace", "name": " Ada  LOVELACE ", "company": "ACME"}
    ]


def test_mappings() -> None:
    properties = mappings.talks_index(0)["mappings"]["properties"]
    assert properties["title"]["analyzer"] == "english"
    assert properties["title"]["fields"]["sort"] == {"type": "keyword", "normalizer": "sort_key"}
    assert properties["speakers"]["type"] == "nested"
    assert properties["doc"] == {"type": "object", "enabled": False}
    for keyword in ("tags", "level", "format", "status", "stage", "day"):
        assert properties[keyword]["type"] == "keyword"
    settings = mappings.talks_index(0)["settings"]
    assert settings["number_of_shards"] == 1
    assert settings["similarity"][mappings.SIMILARITY]["type"] == "scripted"


def test_guarded_bulk_operations() -> None:
    source = {"id": "t"}
    assert bulk.write_operation("i", "t", source, bulk.Loaded("i", 4, 1))[0] == {
        "index": {"_index": "i", "_id": "t", "if_seq_no": 4, "if_primary_term": 1}
    }
    assert bulk.write_operation("i", "t", source, bulk.Absent("i"))[0] == {
        "create": {"_index": "i", "_id": "t"}
    }
    assert bulk.write_operation("i", "t", source, None)[0] == {"index": {"_index": "i", "_id": "t"}}
    letter = DeadLetter(3, "e1", "t.v1", "talk/1", "boom", "{}", 5)
    assert bulk.dead_letter_id(letter) == bulk.dead_letter_id(letter) > 0


def test_bulk_item_failures() -> None:
    ok = {"index": {"status": 200}}
    conflict = {"index": {"status": 409, "_index": "i", "_id": "t"}}
    broken = {"index": {"status": 400, "error": {"reason": "mapper_parsing_exception"}}}
    bulk.raise_for_items({"errors": False, "items": [ok]})
    with pytest.raises(DocumentVersionConflict):
        bulk.raise_for_items({"errors": True, "items": [ok, conflict]})
    with pytest.raises(ReadStoreError, match="mapper_parsing"):
        bulk.raise_for_items({"errors": True, "items": [conflict, broken]})


def test_index_names() -> None:
    names = IndexNames("conf-")
    assert names.alias("talks") == "conf-talks"
    assert names.index("talks", "g12") == "conf-talks-v1-g12"
    assert names.generation_of("talks", "conf-talks-v1-g12") == "g12"
    assert names.generation_of("conferences", "conf-talks-v1-g12") is None
    with pytest.raises(ValueError, match="prefix"):
        IndexNames("Bad*")
    with pytest.raises(ValueError, match="generation"):
        names.index("talks", "g1,other")


def test_rejected_bulk_items_are_transient() -> None:
    rejected = {"index": {"status": 429, "_index": "i", "_id": "t"}}
    with pytest.raises(ReadStoreUnavailable, match="again"):
        bulk.raise_for_items({"errors": True, "items": [rejected]})
