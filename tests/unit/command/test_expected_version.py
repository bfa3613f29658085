"""``If-Match`` preconditions: which versions match, and what a mismatch raises."""

from __future__ import annotations

import pytest

from command_service.errors import PreconditionFailed
from command_service.handlers.expected_version import ExpectedVersion, check_absent, check_version
from tests.unit.command import builders as build


def test_exactly_matches_one_version() -> None:
    expected = ExpectedVersion.exactly(3)
    assert expected.matches(3)
    assert not expected.matches(2)
    assert not expected.matches(4)


def test_a_list_matches_any_of_its_versions_and_star_matches_all() -> None:
    assert [build.expect(1, 3).matches(v) for v in (1, 2, 3)] == [True, False, True]
    assert all(ExpectedVersion(any_version=True).matches(v) for v in (0, 1, 99))
    assert not ExpectedVersion().matches(0)


def test_check_version_passes_without_a_precondition_or_on_a_match() -> None:
    conference = build.conference()
    check_version(None, conference)
    check_version(build.expect(1), conference)
    check_version(build.expect(), conference)


def test_check_version_names_the_current_version_on_a_mismatch() -> None:
    with pytest.raises(PreconditionFailed, match="'conf-1' is at version 1"):
        check_version(build.expect(2), build.conference())


def test_check_absent_refuses_any_precondition() -> None:
    check_absent(None)
    for expected in (build.expect(), build.expect(0)):
        with pytest.raises(PreconditionFailed):
            check_absent(expected)
