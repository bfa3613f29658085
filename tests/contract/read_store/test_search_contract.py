"""The talk-search contract every read-store adapter must pass."""

from __future__ import annotations

from datetime import date

import pytest

from query_service.documents import TalkDocument
from query_service.read_store.port import (
    InvalidCursor,
    TalkQuery,
    TalkSearch,
    TalkSort,
    WriteBatch,
)
from tests.contract.read_store.documents import conference, new_id, talk

Store = TalkSearch


def _write(store: object, *talks: TalkDocument) -> None:
    store.write(WriteBatch(talks=talks))  # type: ignore[attr-defined]


def _ids(store: TalkSearch, query: TalkQuery) -> list[str]:
    return [hit.talk.id for hit in store.search_talks(query).items]


@pytest.fixture
def conf_id(read_store: object) -> str:
    conference_id = new_id("conf")
    read_store.write(WriteBatch(conferences=[conference(conference_id)]))  # type: ignore[attr-defined]
    return conference_id


def test_only_talks_with_details_are_found(read_store: Store, conf_id: str) -> None:
    visible = talk(conf_id)
    partial = TalkDocument(id=new_id("talk"))
    _write(read_store, visible, partial)
    assert _ids(read_store, TalkQuery(conference_id=conf_id)) == [visible.id]
    assert read_store.get_talk(partial.id) is None
    assert read_store.get_talk(visible.id) == visible


def test_filters(read_store: Store, conf_id: str) -> None:
    a = talk(conf_id, tags=("python", "web"), level="beginner", format="talk")
    b = talk(
        conf_id,
        tags=("python",),
        level="advanced",
        format="workshop",
        language="fr",
        lifecycle="accepted",
        slot=("Main", "2025-05-01T08:00:00+00:00", "2025-05-01"),
    )
    c = talk(
        conf_id,
        tags=("go",),
        level="intermediate",
        language="de",
        lifecycle="accepted",
        slot=("Side", "2025-05-02T08:00:00+00:00", "2025-05-02"),
    )
    other = talk(new_id("conf"), tags=("python",))
    _write(read_store, a, b, c, other)

    def ids(**filters: object) -> set[str]:
        return set(_ids(read_store, TalkQuery(conference_id=conf_id, **filters)))  # type: ignore[arg-type]

    assert ids() == {a.id, b.id, c.id}
    assert ids(tags=("python",)) == {a.id, b.id}
    assert ids(tags=("python", "web")) == {a.id}
    assert ids(levels=("advanced", "intermediate")) == {b.id, c.id}
    assert ids(formats=("workshop",)) == {b.id}
    assert ids(languages=("fr",)) == {b.id}
    assert ids(languages=("en", "de")) == {a.id, c.id}
    assert ids(statuses=("scheduled",)) == {b.id, c.id}
    assert ids(statuses=("submitted",)) == {a.id}
    assert ids(stages=("Side",)) == {c.id}
    assert ids(days=(date(2025, 5, 1),)) == {b.id}
    assert ids(days=(date(2025, 5, 1), date(2025, 5, 2))) == {b.id, c.id}
    assert set(_ids(read_store, TalkQuery(tags=("python",)))) == {a.id, b.id, other.id}


def test_facets_count_the_matching_talks(read_store: Store, conf_id: str) -> None:
    _write(
        read_store,
        talk(conf_id, tags=("python", "web"), level="beginner"),
        talk(conf_id, tags=("python",), level="advanced", language="fr", lifecycle="rejected"),
        talk(
            conf_id,
            tags=("go",),
            level="advanced",
            lifecycle="accepted",
            slot=("Main", "2025-05-01T08:00:00+00:00", "2025-05-01"),
        ),
    )
    page = read_store.search_talks(TalkQuery(conference_id=conf_id, levels=("advanced",)))
    facets = {name: {f.value: f.count for f in counts} for name, counts in page.facets.items()}
    assert page.total == 2
    assert facets["tag"] == {"python": 1, "go": 1}
    assert facets["level"] == {"advanced": 2}
    assert facets["format"] == {"talk": 2}
    assert facets["language"] == {"en": 1, "fr": 1}
    assert facets["status"] == {"rejected": 1, "scheduled": 1}
    assert facets["stage"] == {"Main": 1}
    assert facets["day"] == {"2025-05-01": 1}


def _sorted_ids(store: Store, conf_id: str, sort: TalkSort, **extra: object) -> list[str]:
    return _ids(store, TalkQuery(conference_id=conf_id, sort=sort, size=100, **extra))  # type: ignore[arg-type]


def test_sorts(read_store: Store, conf_id: str) -> None:
    early = talk(
        conf_id,
        title="beta",
        lifecycle="accepted",
        slot=("Main", "2025-05-01T08:00:00+00:00", "2025-05-01"),
        rating=(2, 8),
        submitted_at="2025-01-03T00:00:00+00:00",
    )
    late = talk(
        conf_id,
        title="Alpha",
        lifecycle="accepted",
        slot=("Main", "2025-05-01T12:00:00+00:00", "2025-05-01"),
        rating=(4, 16),
        submitted_at="2025-01-01T00:00:00+00:00",
    )
    unscheduled = talk(
        conf_id, title="gamma", rating=(1, 5), submitted_at="2025-01-02T00:00:00+00:00"
    )
    _write(read_store, unscheduled, late, early)
    assert _sorted_ids(read_store, conf_id, TalkSort.STARTS_AT) == [
        early.id,
        late.id,
        unscheduled.id,
    ]
    assert _ids(read_store, TalkQuery(conference_id=conf_id)) == [
        early.id,
        late.id,
        unscheduled.id,
    ]
    assert _sorted_ids(read_store, conf_id, TalkSort.RATING) == [
        unscheduled.id,
        late.id,
        early.id,
    ]
    assert _sorted_ids(read_store, conf_id, TalkSort.NEWEST) == [
        early.id,
        unscheduled.id,
        late.id,
    ]
    assert _sorted_ids(read_store, conf_id, TalkSort.TITLE) == [
        late.id,
        early.id,
        unscheduled.id,
    ]


def test_rating_ties_break_by_count(read_store: Store, conf_id: str) -> None:
    few = talk(conf_id, rating=(1, 4))
    many = talk(conf_id, rating=(3, 12))
    _write(read_store, few, many)
    assert _sorted_ids(read_store, conf_id, TalkSort.RATING) == [many.id, few.id]


@pytest.mark.parametrize("sort", [*TalkSort, None])
def test_cursor_paging_visits_every_match_once(
    read_store: Store, conf_id: str, sort: TalkSort | None
) -> None:
    talks = [
        talk(
            conf_id,
            title=f"Kubernetes {i % 4}",
            rating=(i % 3, (i % 3) * 4),
            submitted_at=f"2025-01-0{1 + i % 3}T00:00:00+00:00",
            lifecycle="accepted" if i % 2 else "submitted",
            slot=("Main", f"2025-05-01T{8 + i % 5:02d}:00:00+00:00", "2025-05-01")
            if i % 2
            else None,
        )
        for i in range(23)
    ]
    _write(read_store, *talks)
    text = "kubernetes" if sort in (TalkSort.RELEVANCE, None) else None
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = read_store.search_talks(
            TalkQuery(text=text, conference_id=conf_id, sort=sort, size=5, cursor=cursor)
        )
        assert page.total == 23
        seen += [hit.talk.id for hit in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        if pages == 2:
            # Writes between pages must not make the walk skip or repeat a match.
            _write(read_store, talk(new_id("conf"), title="Kubernetes elsewhere"))
        cursor = page.next_cursor
    assert pages == 5
    assert sorted(seen) == sorted(t.id for t in talks)
    assert len(seen) == len(set(seen))


def test_a_foreign_or_damaged_cursor_is_refused(read_store: Store, conf_id: str) -> None:
    _write(read_store, talk(conf_id), talk(conf_id))
    page = read_store.search_talks(TalkQuery(conference_id=conf_id, size=1))
    assert page.next_cursor is not None
    with pytest.raises(InvalidCursor):
        read_store.search_talks(
            TalkQuery(conference_id=conf_id, size=1, sort=TalkSort.TITLE, cursor=page.next_cursor)
        )
    for damaged in ("not-base64!", "e30", page.next_cursor[:-3]):
        with pytest.raises(InvalidCursor):
            read_store.search_talks(TalkQuery(conference_id=conf_id, cursor=damaged))


def test_full_text_is_stemmed(read_store: Store, conf_id: str) -> None:
    scale = talk(conf_id, title="How to scale a monolith")
    _write(read_store, scale, talk(conf_id, title="Unrelated"))
    assert _ids(read_store, TalkQuery(text="scaling", conference_id=conf_id)) == [scale.id]


def test_full_text_tolerates_a_typo(read_store: Store, conf_id: str) -> None:
    k8s = talk(conf_id, title="Kubernetes operators in practice")
    _write(read_store, k8s, talk(conf_id, title="Unrelated"))
    assert _ids(read_store, TalkQuery(text="kubernets", conference_id=conf_id)) == [k8s.id]
    assert _ids(read_store, TalkQuery(text="operatrs", conference_id=conf_id)) == [k8s.id]


def test_all_words_must_match(read_store: Store, conf_id: str) -> None:
    both = talk(conf_id, title="Python and Rust")
    _write(read_store, both, talk(conf_id, title="Python only"))
    assert _ids(read_store, TalkQuery(text="rust python", conference_id=conf_id)) == [both.id]


def test_text_without_words_matches_nothing(read_store: Store, conf_id: str) -> None:
    _write(read_store, talk(conf_id, title="Python"))
    page = read_store.search_talks(TalkQuery(text='"*:-( )', conference_id=conf_id))
    assert page.total == 0
    assert page.next_cursor is None


def test_title_outranks_speakers_outranks_abstract(read_store: Store, conf_id: str) -> None:
    in_abstract = talk(conf_id, title="Other", abstract="all about graphql here")
    in_title = talk(conf_id, title="GraphQL at scale")
    in_speaker = talk(conf_id, title="Another", speakers=(("Graphql Jones", None),))
    _write(read_store, in_abstract, in_title, in_speaker)
    assert _ids(read_store, TalkQuery(text="graphql", conference_id=conf_id)) == [
        in_title.id,
        in_speaker.id,
        in_abstract.id,
    ]


def test_tags_are_searchable(read_store: Store, conf_id: str) -> None:
    tagged = talk(conf_id, title="Something", tags=("observability",))
    _write(read_store, tagged, talk(conf_id))
    assert _ids(read_store, TalkQuery(text="observability", conference_id=conf_id)) == [tagged.id]


def test_highlights_mark_matches_per_field(read_store: Store, conf_id: str) -> None:
    doc = talk(
        conf_id,
        title="Scaling <Kubernetes>",
        abstract="We scale clusters. " * 3,
        speakers=(("Kube Scaler", None), ("Ada", None)),
        tags=("scale", "ops"),
    )
    _write(read_store, doc)
    hit = read_store.search_talks(TalkQuery(text="scale", conference_id=conf_id)).items[0]
    assert hit.highlight["title"] == ["<em>Scaling</em> &lt;Kubernetes&gt;"]
    assert "<em>scale</em>" in hit.highlight["abstract"][0]
    assert hit.highlight["tags"] == ["<em>scale</em>"]
    assert "speakers" not in hit.highlight
    plain = read_store.search_talks(TalkQuery(conference_id=conf_id)).items[0]
    assert dict(plain.highlight) == {}


def test_documents_are_replaced_not_duplicated(read_store: Store, conf_id: str) -> None:
    doc = talk(conf_id, title="Old title")
    _write(read_store, doc)
    renamed = talk(conf_id, title="New title", talk_id=doc.id)
    _write(read_store, renamed)
    assert _ids(read_store, TalkQuery(text="old", conference_id=conf_id)) == []
    assert _ids(read_store, TalkQuery(text="new", conference_id=conf_id)) == [doc.id]
    assert read_store.search_talks(TalkQuery(conference_id=conf_id)).total == 1
