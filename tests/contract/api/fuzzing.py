"""What the fuzz tests of both APIs share: the bounds, the checks, the tally, the steering.

Bounds: a fixed number of examples per operation and phase, chosen so that each API gets at
least ``MIN_CASES`` generated requests in all, derandomized (the same cases on every run, so
CI is reproducible), no deadline (a shared CI machine is slow at times; slowness is not what
this suite is about), no example database (nothing written next to the checkout).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import hypothesis
import schemathesis
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from schemathesis import AuthContext, Case, HookContext
from schemathesis.core.parameters import ParameterLocation
from schemathesis.schemas import BaseSchema

from tests.contract.api.credentials import auth_headers_for, tokens_enforced

MIN_CASES = 500

FuzzCase = Case[Any]

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 412, 422, 429, "5xx"]
            }
        }
    }
)
"""Every check on, as schemathesis ships them, but for what a schema-valid request may still
meet by design: a failed precondition (412; ``If-Match: *`` on a resource not created yet is
412 by RFC 9110), as it may break a rule of the current state (409), and a rule JSON Schema
cannot state (422: a known time zone, an existing conference, names distinct ignoring case,
a trimmed length, a span of days). Invalid requests must still be refused, every answer
must still be documented and match its schema."""


def bounded(max_examples: int) -> hypothesis.settings:
    """The hypothesis settings of a fuzz test: ``max_examples`` per operation and phase."""
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )


def as_enforced(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the API enforces it: without its security requirements while there
    are no tokens to send (``credentials.py``), else as it is.

    The bearer scheme is declared ahead of the code that checks it; fuzzing it before then
    would only report that the API accepts requests without a token.
    """
    if tokens_enforced():
        return document
    trimmed = copy.deepcopy(document)
    for operations in trimmed["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
    return trimmed


def authenticate(schema: BaseSchema, role_of: Callable[[FuzzCase], str | None]) -> None:
    """Send every case with the credentials of its operation's role (none for a public one).

    Given to schemathesis as its auth provider rather than as plain headers, so that a case
    meant to lack or break the ``Authorization`` header keeps it missing or broken.
    """

    @schema.auth(refresh_interval=None)
    class RoleCredentials:
        def get(self, case: FuzzCase, _context: AuthContext) -> dict[str, str] | None:
            role = role_of(case)
            return (auth_headers_for(role) or None) if role is not None else None

        def set(self, case: FuzzCase, data: dict[str, str], _context: AuthContext) -> None:
            case.headers = CaseInsensitiveDict(case.headers or {})
            case.headers.update(data)


class Tally:
    """Generated requests per operation; the fuzz module fails if the total is too small."""

    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()

    def count(self, case: FuzzCase) -> None:
        self.cases[case.operation.label] += 1

    def assert_enough(self) -> None:
        total = sum(self.cases.values())
        print(f"schemathesis: {total} generated requests over {len(self.cases)} operations")
        assert total >= MIN_CASES, f"only {total} generated requests: {dict(self.cases)}"


def repair(case: FuzzCase) -> None:
    """Undo a seeding fault of schemathesis' coverage phase (4.32), then make the case's
    positive/negative label true.

    That phase finds no value for an optional header with our ``If-Match`` pattern, seeds
    it with one that breaks the pattern, labels the case positive, and carries the header
    into every case it derives: each body or parameter mutation would test If-Match again
    and get 400. Such a header is dropped from a coverage case about something else;
    assigning the headers makes schemathesis validate the case again and label it.
    """
    meta = case.meta
    if not case.headers or meta is None:
        return
    if meta.phase.name.value == "coverage":
        target = getattr(meta.phase.data, "parameter", None)
        for parameter in case.operation.headers:
            pattern = parameter.definition["schema"].get("pattern")
            value = case.headers.get(parameter.name)
            if (
                not parameter.is_required
                and parameter.name != target
                and isinstance(pattern, str)
                and isinstance(value, str)
                and re.search(pattern, value) is None
            ):
                del case.headers[parameter.name]
    case.headers = CaseInsensitiveDict(case.headers)


def steer_to(schema: BaseSchema, known: Mapping[str, Sequence[str]]) -> None:
    """Let path parameters and top-level body fields named in ``known`` take one of those
    values part of the time.

    Random ids reach nothing but 404 (or 422 for a talk's unknown ``conference_id``); the
    seeded ones reach the domain's rules. ``known`` is read at each draw, so a fixture may
    fill it after the schema is loaded. A part of the request that is meant to be invalid
    (negative there) stays as generated.
    """

    @schema.hook
    def flatmap_case(_context: HookContext, case: FuzzCase) -> st.SearchStrategy[FuzzCase]:
        path = _steerable(case, case.path_parameters, ParameterLocation.PATH, known)
        body = _steerable(case, case.body, ParameterLocation.BODY, known)
        if not path and not body:
            return st.just(case)
        return st.tuples(_choices(path, known), _choices(body, known)).map(
            lambda chosen: _with(case, *chosen)
        )


def _steerable(
    case: FuzzCase, part: object, location: ParameterLocation, known: Mapping[str, Sequence[str]]
) -> list[str]:
    meta = case.meta
    if not isinstance(part, dict) or (meta is not None and meta.is_negative_at(location)):
        return []
    return [name for name in part if known.get(name)]


def _choices(
    names: list[str], known: Mapping[str, Sequence[str]]
) -> st.SearchStrategy[dict[str, str | None]]:
    return st.fixed_dictionaries({name: st.sampled_from([None, *known[name]]) for name in names})


def _with(
    case: FuzzCase, path: Mapping[str, str | None], body: Mapping[str, str | None]
) -> FuzzCase:
    if replaced := {name: value for name, value in path.items() if value is not None}:
        case.path_parameters = {**case.path_parameters, **replaced}
    if (replaced := {name: value for name, value in body.items() if value is not None}) and (
        isinstance(case.body, dict)
    ):
        case.body = {**case.body, **replaced}
    return case
