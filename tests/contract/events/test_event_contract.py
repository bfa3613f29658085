"""The committed event contract (``contracts/events/``) is what the code generates, its
AsyncAPI document is valid AsyncAPI 3.0, and a published version can never change shape
or disappear without the check failing (ADR 082)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from conference_cli.contract import asyncapi, files
from conference_cli.contract.__main__ import main
from conference_cli.contract.schemas import PUBLISHED, fingerprint
from shared_domain.events import DomainEvent, TalkAccepted
from shared_domain.messaging import EXCHANGE, routing_key

ASYNCAPI_SCHEMA = Path(__file__).parent / "vendor" / "asyncapi-3.0.0.json"


def _asyncapi_validator() -> Draft7Validator:
    schema = json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(schema)  # every definition it refers to is bundled, with its $id


def test_the_committed_contract_is_what_the_code_generates() -> None:
    assert main(["--check"]) == 0


def test_the_asyncapi_document_is_valid_asyncapi_3() -> None:
    document = json.loads((files.CONTRACT_DIR / "asyncapi.json").read_text(encoding="utf-8"))
    errors = [error.message for error in _asyncapi_validator().iter_errors(document)]
    assert errors == []


def test_the_validator_does_refuse_an_invalid_document() -> None:
    document: dict[str, Any] = asyncapi.document()
    document["channels"]["talk_accepted_v1"]["address"] = 7
    del document["info"]["version"]
    assert len(list(_asyncapi_validator().iter_errors(document))) >= 2


def test_every_event_has_its_routing_key_on_the_exchange() -> None:
    channels = asyncapi.document()["channels"]
    assert sorted(c["address"] for c in channels.values()) == sorted(
        routing_key({"type": cls.event_type()}) for cls in PUBLISHED
    )
    assert {c["bindings"]["amqp"]["exchange"]["name"] for c in channels.values()} == {EXCHANGE}


@dataclass(frozen=True, kw_only=True)
class AcceptedWithANote(DomainEvent):
    """``TalkAccepted`` given a field, but left at the same version: the mistake."""

    aggregate_type = TalkAccepted.aggregate_type
    event_name = TalkAccepted.event_name

    note: str


def test_a_shape_changed_without_a_new_version_is_refused() -> None:
    published = files.fingerprints()
    changed = {**published, TalkAccepted.event_type(): fingerprint(AcceptedWithANote)}
    [problem] = files.frozen_violations(published, changed)
    assert problem.startswith("conference.talk.accepted.v1 changed shape without a new version")


def test_a_published_version_that_disappears_is_refused() -> None:
    published = files.fingerprints()
    current = {k: v for k, v in published.items() if k != "conference.talk.submitted.v1"}
    [problem] = files.frozen_violations(published, current)
    assert "conference.talk.submitted.v1 was published and is gone" in problem


def test_a_new_version_is_welcome() -> None:
    published = files.fingerprints()
    current = {**published, "conference.talk.accepted.v2": fingerprint(AcceptedWithANote)}
    assert files.frozen_violations(published, current) == []


@pytest.fixture
def contract_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "events"
    shutil.copytree(files.CONTRACT_DIR, copy)
    return copy


def test_the_command_refuses_a_published_fingerprint_that_changed(
    contract_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prints = json.loads((contract_copy / files.FINGERPRINTS).read_text(encoding="utf-8"))
    prints["conference.talk.edited.v1"] = "sha256:" + "0" * 64  # as if the code had moved
    (contract_copy / files.FINGERPRINTS).write_text(json.dumps(prints), encoding="utf-8")

    assert main(["--check", "--dir", str(contract_copy)]) == 1
    assert main(["--dir", str(contract_copy)]) == 1  # and regenerating does not paper over it
    assert "conference.talk.edited.v1 changed shape" in capsys.readouterr().err
    assert (
        json.loads((contract_copy / files.FINGERPRINTS).read_text())["conference.talk.edited.v1"]
        == "sha256:" + "0" * 64
    )


def test_check_names_a_stale_or_extra_file_and_regenerating_fixes_it(
    contract_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (contract_copy / "asyncapi.json").write_text("{}\n", encoding="utf-8")
    (contract_copy / "schemas" / "conference.talk.exploded.v1.json").write_text("{}\n")

    assert main(["--check", "--dir", str(contract_copy)]) == 1
    err = capsys.readouterr().err
    assert "asyncapi.json" in err
    assert "conference.talk.exploded.v1.json" in err
    assert main(["--dir", str(contract_copy)]) == 0
    assert main(["--check", "--dir", str(contract_copy)]) == 0
    assert not (contract_copy / "schemas" / "conference.talk.exploded.v1.json").exists()
