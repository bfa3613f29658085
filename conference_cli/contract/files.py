"""Write or check ``contracts/events/``: the documents, and the rule that a published
version never changes (its fingerprint is committed in ``fingerprints.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from conference_cli.contract import asyncapi
from conference_cli.contract.schemas import PUBLISHED, file_name, fingerprint, schema_document
from shared_domain.events import JsonDict

CONTRACT_DIR = Path(__file__).resolve().parents[2] / "contracts" / "events"
FINGERPRINTS = "fingerprints.json"


def _text(document: JsonDict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def fingerprints() -> dict[str, str]:
    return {cls.event_type(): fingerprint(cls) for cls in PUBLISHED}


def expected_files() -> dict[str, str]:
    """Every file of the contract, by path relative to the contract directory."""
    files = {file_name(cls): _text(schema_document(cls)) for cls in PUBLISHED}
    files["asyncapi.json"] = _text(asyncapi.document())
    files[FINGERPRINTS] = _text(fingerprints())
    return files


def frozen_violations(published: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """What breaks the published contract: a version whose shape changed, or one that
    disappeared (old messages still exist: keep it, with an upcaster). New ones are fine."""
    problems = []
    for event_type, print_ in sorted(published.items()):
        if event_type not in current:
            problems.append(
                f"{event_type} was published and is gone: keep its class in "
                "shared_domain/upcasting.py with a step to the current version"
            )
        elif current[event_type] != print_:
            problems.append(
                f"{event_type} changed shape without a new version: restore it, and add the "
                "change as the next version (shared_domain/upcasting.py says how)"
            )
    return problems


def published_fingerprints(directory: Path) -> dict[str, str]:
    path = directory / FINGERPRINTS
    if not path.exists():
        return {}
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def stale_files(directory: Path, expected: Mapping[str, str]) -> list[str]:
    """Files that differ from what the code generates, missing ones, and leftovers."""
    found = {
        str(path.relative_to(directory)) for path in directory.rglob("*.json") if path.is_file()
    }
    differing = [
        name
        for name, text in expected.items()
        if name not in found or (directory / name).read_text(encoding="utf-8") != text
    ]
    return sorted({*differing, *(found - set(expected))})


def write(directory: Path, expected: Mapping[str, str]) -> None:
    for name in stale_files(directory, expected):
        path = directory / name
        if name in expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(expected[name], encoding="utf-8")
        else:
            path.unlink()
