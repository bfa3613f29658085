"""The OpenSearch client's orjson serializer (ADR 083) writes what the stock one wrote:
compact JSON, non-ASCII kept, dates, UUIDs and decimals through the stock ``default``;
what cannot be serialised, or parsed, is the client's ``SerializationError``."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from opensearchpy import JSONSerializer
from opensearchpy.exceptions import SerializationError

from query_service.read_store.search_engine.opensearch import OrjsonSerializer

DOCUMENT = {
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "title": "Café ✓",
    "on": date(2027, 3, 1),
    "at": datetime(2027, 3, 1, 9, 30, 15, 120000, tzinfo=UTC),
    "rating": Decimal("4.5"),
    "tags": ["a", "b"],
    "nested": {"n": 1, "none": None, "yes": True},
}


def test_it_writes_what_the_stock_serializer_wrote() -> None:
    ours = OrjsonSerializer().dumps(DOCUMENT)

    assert json.loads(ours) == json.loads(JSONSerializer().dumps(DOCUMENT))
    assert "Café ✓" in ours
    assert ", " not in ours


def test_strings_pass_through_and_answers_parse() -> None:
    serializer = OrjsonSerializer()

    assert serializer.dumps('{"already": "json"}') == '{"already": "json"}'
    assert serializer.loads('{"hits": {"total": 3}}') == {"hits": {"total": 3}}


def test_what_cannot_be_written_or_parsed_is_a_serialization_error() -> None:
    serializer = OrjsonSerializer()

    with pytest.raises(SerializationError):
        serializer.dumps({"x": object()})
    with pytest.raises(SerializationError):
        serializer.loads("<html>502</html>")
