"""Pass over a dropped event: its stream's version mark moves on as if it had applied.

An operator drops a poison event because it will never apply. Without this, its version
would stay missing for good and every later event of its aggregate would wait behind it
(ADR 061). Passing over changes nothing in the documents but the one mark that guards the
stream, so the next version is the next to apply. It works from the envelope's aggregate
type, id and version alone: the event itself may be of a type we cannot decode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from query_service.documents import ConferenceDocument, TalkDocument
from query_service.projections.dispatch import Changes, DocumentKeys
from query_service.projections.errors import ProjectionError
from query_service.projections.guards import next_in_stream


def documents_to_pass_over(aggregate_type: str, aggregate_id: str) -> DocumentKeys:
    if aggregate_type == "conference":
        return DocumentKeys(conference_ids=frozenset({aggregate_id}))
    return DocumentKeys(talk_ids=frozenset({aggregate_id}))


def pass_over(
    aggregate_type: str,
    aggregate_id: str,
    version: int,
    talks: Mapping[str, TalkDocument],
    conferences: Mapping[str, ConferenceDocument],
) -> Changes:
    """The documents with ``version`` passed over; empty when it already was (applied or
    passed). Raises ``EventNotYetApplicable`` while an earlier version is missing, and
    ``ProjectionError`` where there is no mark to move."""
    stream = f"{aggregate_type}/{aggregate_id}"
    if aggregate_type == "conference":
        conference = conferences.get(aggregate_id)
        if conference is None:
            raise ProjectionError(f"{stream}: its creation cannot be passed over; replay it")
        if not next_in_stream(stream, conference.version, version):
            return Changes()
        return Changes(conferences=(replace(conference, version=version),))
    talk = talks.get(aggregate_id) or TalkDocument(id=aggregate_id)
    if aggregate_type == "talk":
        if not next_in_stream(stream, talk.talk_version, version):
            return Changes()
        return Changes(talks=(replace(talk, talk_version=version),))
    if aggregate_type == "talk_ratings":
        if not next_in_stream(stream, talk.rating_version, version):
            return Changes()
        return Changes(talks=(replace(talk, rating_version=version),))
    raise ProjectionError(f"{stream}: not a stream of ours")
