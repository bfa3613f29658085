"""``_bulk`` operations with per-document version guards, and checking their results.

A search engine has no transaction over several documents, so each document write carries
its own guard, checked atomically by the engine on that document:

- ``Loaded(seq_no, primary_term)``: the projector read the document at that version; the
  write succeeds only if nobody wrote it since (``if_seq_no`` / ``if_primary_term``);
- ``Absent``: the projector saw no document; the write creates it (``op_type: create``)
  and fails if another replica created it first;
- no guard: a document the projector never loaded (tests, tools) is simply indexed.

A failed guard is a 409 on that item; ``raise_for_items`` turns it into
``DocumentVersionConflict`` (a ``CheckpointMoved``: the projector re-reads and retries).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from query_service.read_store.port import (
    DeadLetter,
    DocumentVersionConflict,
    ReadStoreError,
    ReadStoreUnavailable,
)
from service_conventions.json_types import JsonDict


@dataclass(frozen=True)
class Loaded:
    index: str
    """The concrete index the version belongs to (versions of two indices never compare)."""
    seq_no: int
    primary_term: int


@dataclass(frozen=True)
class Absent:
    index: str
    """The concrete index in which the document was looked for and not found."""


Guard = Loaded | Absent | None


def write_operation(index: str, doc_id: str, source: JsonDict, guard: Guard) -> list[JsonDict]:
    """The action line and source line of one guarded document write."""
    if isinstance(guard, Loaded):
        action = {
            "index": {
                "_index": index,
                "_id": doc_id,
                "if_seq_no": guard.seq_no,
                "if_primary_term": guard.primary_term,
            }
        }
    elif isinstance(guard, Absent):
        action = {"create": {"_index": index, "_id": doc_id}}
    else:
        action = {"index": {"_index": index, "_id": doc_id}}
    return [action, source]


def append_operation(index: str, source: JsonDict) -> list[JsonDict]:
    """A new document with an engine-generated id (journal entries)."""
    return [{"index": {"_index": index}}, source]


def dead_letter_id(letter: DeadLetter) -> int:
    """The same message parked twice (racing replicas, a redelivery) is one dead letter.
    A positive 60-bit integer, since the port's dead-letter ids are integers."""
    key = f"{letter.position}|{letter.event_id}|{letter.stream}|{letter.envelope}"
    return int(hashlib.sha256(key.encode()).hexdigest()[:15], 16)


def delete_operation(index: str, doc_id: str) -> list[JsonDict]:
    return [{"delete": {"_index": index, "_id": doc_id}}]


def is_overload(status: int) -> bool:
    """Rejections that say nothing about the documents (queue full, shard unavailable):
    transient, so the projector retries instead of dead-lettering events."""
    return status == 429 or status >= 500


def raise_for_items(response: Mapping[str, Any]) -> None:
    """Raise for the first failed item: a version conflict, else the engine's reason."""
    if not response.get("errors"):
        return
    conflicts: list[str] = []
    failures: list[str] = []
    overloaded: list[str] = []
    for item in response.get("items", []):
        (op, result), *_ = item.items()
        status = int(result.get("status", 0))
        if status < 300 or (op == "delete" and status == 404):
            continue  # deleting what is gone already (a drop replayed) is done
        where = f"{op} {result.get('_index')}/{result.get('_id')}"
        if status == 409:
            conflicts.append(where)
        elif is_overload(status):
            overloaded.append(f"{where}: {status}")
        else:
            error = result.get("error") or {}
            reason = error.get("reason") if isinstance(error, Mapping) else error
            failures.append(f"{where}: {status} {reason}")
    if failures:
        raise ReadStoreError(f"bulk write failed for {len(failures)} item(s): {failures[0]}")
    if overloaded:
        raise ReadStoreUnavailable(
            f"the engine rejected {len(overloaded)} item(s) for now, e.g. {overloaded[0]}; "
            "write the batch again after a pause"
        )
    if conflicts:
        raise DocumentVersionConflict(
            f"{len(conflicts)} document(s) changed since they were loaded, e.g. {conflicts[0]}"
        )


def item_results(response: Mapping[str, Any]) -> Sequence[JsonDict]:
    return [next(iter(item.values())) for item in response.get("items", [])]
