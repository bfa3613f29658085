"""Which read-model version reflects which mark of a ``Consistency-Token``.

The projections keep one version mark per field group of a document (``documents.py``):
the talk stream's, the ratings stream's and the conference stream's slot version on a
talk document, the conference stream's on a conference document. A mark is reached once
its document holds at least its version; a missing document holds 0. Both adapters read
the marks from the stored JSON (``document_codec``) through these helpers, so the mapping
lives in one place.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from service_conventions.consistency.token import MarkKind, MarkRef
from service_conventions.json_types import JsonDict

VERSION_FIELDS: Mapping[MarkKind, tuple[str, str]] = {
    MarkKind.TALK: ("talks", "talk_version"),
    MarkKind.RATINGS: ("talks", "rating_version"),
    MarkKind.SLOT: ("talks", "schedule_version"),
    MarkKind.CONFERENCE: ("conferences", "version"),
}
"""Each mark's document kind and the field of its JSON that holds the version."""


def documents_to_read(refs: Collection[MarkRef]) -> dict[str, list[str]]:
    """The ids to read of each document kind (``"talks"``, ``"conferences"``), sorted."""
    wanted: dict[str, set[str]] = {}
    for kind, id in refs:
        wanted.setdefault(VERSION_FIELDS[kind][0], set()).add(id)
    return {documents: sorted(ids) for documents, ids in wanted.items()}


def fields_of(documents: str) -> list[str]:
    return sorted({f for d, f in VERSION_FIELDS.values() if d == documents})


def versions_in(
    refs: Collection[MarkRef], found: Mapping[str, Mapping[str, JsonDict]]
) -> dict[MarkRef, int]:
    """The version of each mark in ``found`` (document kind -> id -> its JSON)."""
    versions: dict[MarkRef, int] = {}
    for ref in refs:
        documents, field = VERSION_FIELDS[ref[0]]
        doc = found.get(documents, {}).get(ref[1])
        versions[ref] = 0 if doc is None else int(doc.get(field) or 0)
    return versions
