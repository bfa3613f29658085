"""``SearchEngineReadStore``: both read-store protocols over Elasticsearch or OpenSearch.

The engine differences live behind ``EngineClient``; everything here (index lifecycle,
version guards, write order, paging) is shared. Readers address aliases, so a rebuild's
switch-over (one ``_aliases`` call) is seen at once; a store pinned to a generation (a
rebuild's target) addresses that generation's concrete indices.

Writes (ADR 050). No transaction spans documents, so one batch is written in an order
whose every crash point is repaired by redelivery:

1. the checkpoint is read (realtime) and must still be at ``expected``;
2. talks (``_bulk``, each guarded by the version it was loaded at, ``WriteBatch.versions``),
   made searchable at once (``refresh``) unless another batch is queued right behind
   (``searchable_now``);
3. conferences, guarded alike. After the talks, because the conference's version is the
   contiguity mark of its stream: a crash in between leaves the conference behind, so the
   event is redelivered and applied again, and the talks' monotonic schedule marks skip
   what they already have. The other order would lose the talks' slots for good;
4. dead letters (idempotent ids), the applied-events journal and the checkpoint,
   compare-and-set on its ``_seq_no``.

A failed guard raises ``DocumentVersionConflict`` / ``CheckpointMoved``: the projector
treats both as a lost race and re-reads.

A batch goes to the generation its documents were read from; one that read nothing (talks
it creates, ``EXPECTED_ABSENT``) goes through the talks alias, and the engine's answer
names the generation for the rest (ADR 085).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.read_store.cursor import decode_cursor
from query_service.read_store.generations import (
    FIRST_GENERATION,
    check_generation,
    generation_named,
    generation_number,
)
from query_service.read_store.port import (
    CheckpointMoved,
    DeadLetter,
    DocumentRef,
    DocumentVersion,
    DocumentVersionConflict,
    GenerationInfo,
    LoadedDocuments,
    ReadStoreUnavailable,
    SpeakerQuery,
    SpeakerSummary,
    TalkPage,
    TalkQuery,
    TopTalksQuery,
    WriteBatch,
)
from query_service.read_store.search_engine import bulk, indexed
from query_service.read_store.search_engine import query_builder as qb
from query_service.read_store.search_engine.bulk import Absent, Guard, Loaded
from query_service.read_store.search_engine.client import EngineClient, Refresh
from query_service.read_store.search_engine.mappings import (
    ADDED_TALK_FIELDS,
    index_body,
)
from query_service.read_store.search_engine.naming import KINDS, IndexNames
from query_service.read_store.versions import documents_to_read, fields_of, versions_in
from service_conventions.consistency.token import MarkRef
from service_conventions.json_types import JsonDict

PAGE = 1000
SPEAKER_PARTITION_SIZE = 2000


class SearchEngineReadStore:
    engine = "search-engine"
    """The engine's name on metrics; the factory names the flavour."""

    def __init__(
        self,
        client: EngineClient,
        *,
        names: IndexNames,
        replicas: int = 1,
        generation: str | None = None,
        refresh: Refresh = "true",
        owns_client: bool = True,
    ) -> None:
        self._client = client
        self._names = names
        self._replicas = replicas
        self._pinned = None if generation is None else check_generation(generation)
        self._refresh = refresh
        self._owns_client = owns_client
        self._initialized = False

    @property
    def names(self) -> IndexNames:
        return self._names

    # --- lifecycle and generations ------------------------------------------------------

    def initialize(self) -> None:
        """Create the indices of the active generation (the first: ``g1``) and the aliases
        that are missing. Idempotent, and safe when several processes start at once."""
        generation = self._pinned or self.active_generation() or FIRST_GENERATION
        if not self._create_indices(generation):
            self._upgrade(self._names.index("talks", generation))
        if self._pinned is None:
            actions = [
                {"add": {"index": self._names.index(kind, generation), "alias": alias}}
                for kind in KINDS
                if not self._client.indices(alias := self._names.alias(kind))
            ]
            if actions:
                self._client.update_aliases(actions)
        self._initialized = True

    def _ready(self) -> None:
        """Initialise on first use when the engine was down at start-up."""
        if not self._initialized:
            self.initialize()

    def _create_indices(self, generation: str) -> bool:
        """Create the generation's indices; False if its talks index existed already."""
        created = True
        for kind in KINDS:
            fresh = self._client.create_index(
                self._names.index(kind, generation), index_body(kind, self._replicas)
            )
            if kind == "talks":
                created = fresh
        return created

    def _upgrade(self, talks_index: str) -> None:
        """Bring a talks index made by an older version up to the current mapping, in
        place: additive mapping changes need no rebuild."""
        self._client.put_mapping(talks_index, ADDED_TALK_FIELDS)

    def active_generation(self) -> str | None:
        """The generation the aliases serve, or None before ``initialize``."""
        for index in self._client.indices(self._names.alias("talks")):
            generation = self._names.generation_of("talks", index)
            if generation is not None:
                return generation
        return None

    def generations(self) -> list[str]:
        found = (
            self._names.generation_of("talks", index)
            for index in self._client.indices(self._names.pattern("talks"))
        )
        return sorted((g for g in found if g), key=generation_number)

    def describe_generations(self) -> list[GenerationInfo]:
        active = self.active_generation()
        created = self._client.created_at(self._names.pattern("talks"))
        described = []
        for g in self.generations():
            talks_index = self._names.index("talks", g)
            made = created.get(talks_index)
            described.append(
                GenerationInfo(
                    name=g,
                    serving=g == active,
                    talks=self._count(talks_index),
                    conferences=self._count(self._names.index("conferences", g)),
                    created_at=None if made is None else datetime.fromtimestamp(made / 1000, UTC),
                )
            )
        return described

    def _count(self, index: str) -> int:
        response = self._client.search(index, {"size": 0, "track_total_hits": True})
        return int(response["hits"]["total"]["value"])

    def drop_generation(self, generation: str) -> None:
        check_generation(generation)
        if generation == self.active_generation():
            raise ValueError(f"{generation} is the active generation; it serves readers")
        self._client.delete_indices([self._names.index(kind, generation) for kind in KINDS])

    def create_generation(self) -> str:
        """A new, empty generation for a rebuild; it does not serve until activated. Its
        talks index is the claim: two rebuilds starting at once get different numbers."""
        numbers = [generation_number(g) for g in self.generations()]
        number = max(numbers, default=generation_number(FIRST_GENERATION)) + 1
        while not self._create_indices(generation_named(number)):
            number += 1
        return generation_named(number)

    def for_generation(self, generation: str) -> SearchEngineReadStore:
        """A store pinned to ``generation`` (a rebuild's target), initialised. It does not
        refresh after each batch: nobody searches it until ``activate_generation``."""
        pinned = SearchEngineReadStore(
            self._client,
            names=self._names,
            replicas=self._replicas,
            generation=generation,
            refresh="false",
            owns_client=False,
        )
        pinned.initialize()
        return pinned

    def activate_generation(self, generation: str) -> None:
        """Make ``generation`` searchable, then move every alias to it in ONE ``_aliases``
        call: readers switch atomically, and the old generation served until then."""
        check_generation(generation)
        self._client.refresh(",".join(self._names.index(k, generation) for k in KINDS))
        actions: list[JsonDict] = []
        for kind in KINDS:
            alias = self._names.alias(kind)
            for index in self._client.indices(alias):
                actions.append({"remove": {"index": index, "alias": alias}})
            actions.append({"add": {"index": self._names.index(kind, generation), "alias": alias}})
        self._client.update_aliases(actions)

    def drop(self) -> None:
        """Delete every index under this store's prefix (tests and throw-away deployments)."""
        if not self._names.prefix:
            raise ValueError("refusing to delete every index of a cluster: no index prefix")
        self._client.delete_indices(sorted(self._client.indices(f"{self._names.prefix}*")))

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def _target(self, kind: str) -> str:
        if self._pinned is not None:
            return self._names.index(kind, self._pinned)
        return self._names.alias(kind)

    def _serving_generation(self) -> str:
        generation = self.active_generation()
        if generation is None:
            raise ReadStoreUnavailable(
                f"{self._client.engine} has no alias {self._names.alias('talks')}: "
                "the read store is not initialised"
            )
        return generation

    def _loaded_generation(self, versions: Mapping[DocumentRef, DocumentVersion]) -> str | None:
        """The generation a batch's documents were read from, when they all came from one:
        the load read through the alias, so that is what served then (no round trip of its
        own). A switch-over between the load and the write sends the batch, guarded, into
        the generation that served at the load; its events were committed before the
        switch, so the rebuild's catch-up applies them to the new one (ADR 081, ADR 085)."""
        if self._pinned is not None:
            return self._pinned
        read = {
            self._names.generation_of(kind, v.where)
            for (kind, _), v in versions.items()
            if v.where is not None
        }
        return read.pop() if len(read) == 1 else None

    def _generation_written(self, response: Any) -> str:
        """The generation a ``_bulk`` through the talks alias went to, as the engine says."""
        for result in bulk.item_results(response):
            generation = self._names.generation_of("talks", str(result.get("_index")))
            if generation is not None:
                return generation
        return self._serving_generation()

    # --- TalkSearch -------------------------------------------------------------------

    def ping(self) -> None:
        self._ready()
        self._client.search(self._target("talks"), {"size": 0, "track_total_hits": False})

    def search_talks(self, query: TalkQuery) -> TalkPage:
        after = decode_cursor(query, len(qb.sort_for(query)))
        body = qb.search_body(query, after)
        if body is None:
            return qb.empty_page()
        return qb.parse_page(query, self._client.search(self._target("talks"), body))

    def get_talk(self, talk_id: str) -> TalkDocument | None:
        # Not realtime: the API shows one view, the one its searches show (refreshed).
        found = self._client.get(self._target("talks"), talk_id, realtime=False)
        if found is None:
            return None
        doc = indexed.talk_from_source(found["_source"])
        return doc if doc.is_visible else None

    def get_conference(self, conference_id: str) -> ConferenceDocument | None:
        found = self._client.get(self._target("conferences"), conference_id, realtime=False)
        return None if found is None else indexed.conference_from_source(found["_source"])

    def talk_counts(self, conference_id: str) -> Mapping[str, int]:
        response = self._client.search(self._target("talks"), qb.talk_counts_body(conference_id))
        return qb.parse_talk_counts(response)

    def scheduled_talks(self, conference_id: str, day: date | None) -> Sequence[TalkDocument]:
        body = qb.scheduled_talks_body(conference_id, day, PAGE)
        return [
            indexed.talk_from_source(h["_source"])
            for h in self._search_all(self._target("talks"), body)
        ]

    def top_talks(self, query: TopTalksQuery) -> Sequence[TalkDocument]:
        response = self._client.search(self._target("talks"), qb.top_talks_body(query))
        return [indexed.talk_from_source(h["_source"]) for h in response["hits"]["hits"]]

    def read_versions(self, refs: Collection[MarkRef]) -> dict[MarkRef, int]:
        """A search by ids, not a multi-get: a search sees what the API's searches see (the
        refreshed index), where a realtime get would see writes not yet searchable."""
        found: dict[str, dict[str, JsonDict]] = {}
        for documents, ids in documents_to_read(refs).items():
            body = {
                "query": {"ids": {"values": ids}},
                "size": len(ids),
                "_source": [f"doc.{field}" for field in fields_of(documents)],
            }
            hits = self._client.search(self._target(documents), body)["hits"]["hits"]
            found[documents] = {h["_id"]: h["_source"]["doc"] for h in hits}
        return versions_in(refs, found)

    def speakers(self, query: SpeakerQuery) -> Sequence[SpeakerSummary]:
        """All speakers, fetched in hash partitions of the grouping key so that no single
        response holds more buckets than the engine allows; more partitions on overflow."""
        partitions = 1
        while True:
            buckets: list[JsonDict] = []
            overflow = False
            for partition in range(partitions):
                body = qb.speakers_body(query, partition, partitions, SPEAKER_PARTITION_SIZE)
                response = self._client.search(self._target("talks"), body)
                found, left_out, distinct = qb.speakers_partition(response)
                if left_out:
                    partitions = max(partitions * 2, 2 * distinct // SPEAKER_PARTITION_SIZE + 1)
                    overflow = True
                    break
                buckets += found
            if not overflow:
                break
        buckets.sort(key=lambda b: str(b["key"]))
        return [qb.parse_speaker(b) for b in buckets]

    def _search_all(self, index: str, body: JsonDict) -> Iterator[JsonDict]:
        """Every hit of a sorted query, page by page with ``search_after``."""
        page_body = dict(body)
        while True:
            hits = self._client.search(index, page_body)["hits"]["hits"]
            yield from hits
            if len(hits) < page_body["size"]:
                return
            page_body["search_after"] = hits[-1]["sort"]

    # --- ProjectionStore ------------------------------------------------------------

    @property
    def guards_documents(self) -> bool:
        """Yes: every document write carries the version it was loaded at (``if_seq_no``/
        ``if_primary_term``, or ``op_type: create``), checked atomically by the engine."""
        return True

    def _load(self, kind: str, ids: Iterable[str]) -> tuple[list[JsonDict], Versions]:
        """Realtime reads, and the version each document was read at (for the write)."""
        wanted = sorted(set(ids))
        if not wanted:
            return [], {}
        self._ready()
        found: list[JsonDict] = []
        versions: Versions = {}
        for doc in self._client.mget(self._target(kind), wanted):
            if doc.get("found"):
                seq = (int(doc["_seq_no"]), int(doc["_primary_term"]))
                versions[(kind, doc["_id"])] = DocumentVersion(doc["_index"], seq)
                found.append(doc["_source"])
            elif "error" in doc:
                # A shard that is not ready (a node recovering after a restart) answers an
                # error for its documents. Taking one for absent would write a fresh
                # document, unguarded, over the real one once the shard is back.
                raise ReadStoreUnavailable(
                    f"{kind}/{doc['_id']} cannot be read yet: {_reason(doc['error'])}"
                )
            else:
                versions[(kind, doc["_id"])] = DocumentVersion(doc["_index"], None)
        return found, versions

    def load_documents(
        self, talk_ids: Iterable[str], conference_ids: Iterable[str]
    ) -> LoadedDocuments:
        talks, talk_versions = self._load("talks", talk_ids)
        conferences, conference_versions = self._load("conferences", conference_ids)
        return LoadedDocuments(
            talks={d.id: d for d in map(indexed.talk_from_source, talks)},
            conferences={d.id: d for d in map(indexed.conference_from_source, conferences)},
            versions={**talk_versions, **conference_versions},
        )

    def load_talks(self, ids: Iterable[str]) -> dict[str, TalkDocument]:
        return self.load_documents(ids, ()).talks

    def load_conferences(self, ids: Iterable[str]) -> dict[str, ConferenceDocument]:
        return self.load_documents((), ids).conferences

    def checkpoint(self, consumer: str) -> int:
        self._ready()
        found = self._client.get(self._target("checkpoints"), consumer)
        return 0 if found is None else int(found["_source"]["position"])

    def blocked_streams(self, streams: Iterable[str]) -> set[str]:
        wanted = sorted(set(streams))
        if not wanted:
            return set()
        body = {
            "size": 0,
            "query": {"terms": {"stream": wanted}},
            "aggs": {"streams": {"terms": {"field": "stream", "size": len(wanted)}}},
        }
        response = self._client.search(self._target("dead-letters"), body)
        return {str(b["key"]) for b in response["aggregations"]["streams"]["buckets"]}

    def dead_letters(self) -> Sequence[DeadLetter]:
        body = {"size": PAGE, "sort": [{"seq": "asc"}, {"id": "asc"}], "query": {"match_all": {}}}
        hits = self._search_all(self._target("dead-letters"), body)
        return [indexed.dead_letter_from_source(h["_source"]) for h in hits]

    def applied_event_ids(self) -> list[str]:
        """The journal of applications, oldest first (an event applied twice shows twice)."""
        index = self._target("applied-events")
        self._client.refresh(index)
        body = {"size": PAGE, "sort": [{"seq": "asc"}], "_source": ["event_id"]}
        hits = self._search_all(index, body)
        return [i for h in hits for i in indexed.applied_event_ids_from_source(h["_source"])]

    def write(self, batch: WriteBatch) -> None:
        self._ready()
        generation = self._loaded_generation(batch.versions)
        if generation is None and (batch.conferences or batch.checkpoint or not batch.talks):
            generation = self._serving_generation()
        checkpoint_guard = None
        if generation is not None:
            checkpoint_guard = self._checkpoint_guard(
                batch, self._names.index("checkpoints", generation)
            )
        refresh = self._refresh if batch.searchable_now else "false"
        if batch.talks:
            # Talks only, none of them read (a batch of submissions): through the alias, and
            # the engine's answer says which generation the rest of the batch goes to.
            target = (
                self._names.alias("talks")
                if generation is None
                else self._names.index("talks", generation)
            )
            sources = ((t.id, indexed.talk_source(t)) for t in batch.talks)
            operations = self._document_operations("talks", target, batch.versions, sources)
            response = self._bulk(operations, refresh)
            generation = generation or self._generation_written(response)
        assert generation is not None
        index = {kind: self._names.index(kind, generation) for kind in KINDS}
        if batch.conferences:
            sources = ((c.id, indexed.conference_source(c)) for c in batch.conferences)
            operations = self._document_operations(
                "conferences", index["conferences"], batch.versions, sources
            )
            self._bulk(operations, refresh)
        self._write_tail(batch, index, checkpoint_guard)

    def _checkpoint_guard(self, batch: WriteBatch, index: str) -> Guard:
        checkpoint = batch.checkpoint
        if checkpoint is None:
            return None
        found = self._client.get(index, checkpoint.consumer)
        position = 0 if found is None else int(found["_source"]["position"])
        if position != checkpoint.expected:
            raise CheckpointMoved(
                f"checkpoint of {checkpoint.consumer!r} is no longer at {checkpoint.expected}"
            )
        if found is None:
            return Absent(index)
        return Loaded(index, int(found["_seq_no"]), int(found["_primary_term"]))

    @staticmethod
    def _document_operations(
        kind: str,
        index: str,
        versions: Mapping[DocumentRef, DocumentVersion],
        sources: Iterable[tuple[str, JsonDict]],
    ) -> list[JsonDict]:
        operations: list[JsonDict] = []
        for doc_id, source in sources:
            guard = _guard(versions.get((kind, doc_id)), index)
            if guard is not None and guard.index != index:
                raise DocumentVersionConflict(
                    f"{kind}/{doc_id} was loaded from {guard.index}, but the read store now "
                    f"serves {index} (a rebuild switched over); re-read"
                )
            operations += bulk.write_operation(index, doc_id, source, guard)
        return operations

    def _write_tail(self, batch: WriteBatch, index: Mapping[str, str], guard: Guard) -> None:
        operations: list[JsonDict] = []
        for offset, letter in enumerate(batch.dead_letters):
            letter_id = bulk.dead_letter_id(letter)
            source = indexed.dead_letter_source(letter, letter_id, offset)
            operations += bulk.write_operation(index["dead-letters"], str(letter_id), source, None)
        for letter_id in batch.resolved_dead_letters:
            operations += bulk.delete_operation(index["dead-letters"], str(letter_id))
        if batch.applied_event_ids:
            source = indexed.applied_events_source(batch.applied_event_ids)
            operations += bulk.append_operation(index["applied-events"], source)
        checkpoint = batch.checkpoint
        if checkpoint is not None:
            source = {"consumer": checkpoint.consumer, "position": checkpoint.position}
            operations += bulk.write_operation(
                index["checkpoints"], checkpoint.consumer, source, guard
            )
        if operations:
            # Dead letters (parked or resolved) must be visible to the next batch's
            # ``blocked_streams`` search.
            parked = batch.dead_letters or batch.resolved_dead_letters
            self._bulk(operations, "true" if parked else "false", index["checkpoints"])

    def _bulk(
        self, operations: list[JsonDict], refresh: Refresh, checkpoints: str | None = None
    ) -> Any:
        """One ``_bulk``; a lost guard on the ``checkpoints`` index is a moved checkpoint."""
        response: Any = self._client.bulk(operations, refresh)
        try:
            bulk.raise_for_items(response)
        except DocumentVersionConflict as conflict:
            if any(
                r.get("status") == 409 and r.get("_index") == checkpoints
                for r in bulk.item_results(response)
            ):
                raise CheckpointMoved(str(conflict)) from None
            raise
        return response


Versions = dict[DocumentRef, DocumentVersion]


def _guard(version: DocumentVersion | None, index: str) -> Guard:
    """The ``_bulk`` guard of a document written to ``index`` after it was loaded at
    ``version`` (or not read but expected absent: created there)."""
    if version is None:
        return None
    if version.where is None:
        return Absent(index)
    if version.seq is None:
        return Absent(version.where)
    return Loaded(version.where, *version.seq)


def _reason(error: object) -> str:
    if isinstance(error, dict):
        return str(error.get("reason") or error.get("type") or error)
    return str(error)
