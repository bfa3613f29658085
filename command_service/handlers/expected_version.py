"""The client's precondition (``If-Match``) on the version of the aggregate it changes."""

from __future__ import annotations

from dataclasses import dataclass

from command_service.errors import PreconditionFailed
from shared_domain.aggregate import Aggregate


@dataclass(frozen=True)
class ExpectedVersion:
    """``If-Match: *`` (any current version) or a list of acceptable versions."""

    versions: frozenset[int] = frozenset()
    any_version: bool = False

    @classmethod
    def exactly(cls, version: int) -> ExpectedVersion:
        return cls(versions=frozenset({version}))

    def matches(self, version: int) -> bool:
        return self.any_version or version in self.versions


def check_version(expected: ExpectedVersion | None, aggregate: Aggregate) -> None:
    """Refuse the command when the aggregate is no longer at a version the client named."""
    if expected is not None and not expected.matches(aggregate.version):
        raise PreconditionFailed(
            f"{aggregate.id!r} is at version {aggregate.version}, not at the version "
            "named in If-Match; fetch it again and retry."
        )


def check_absent(expected: ExpectedVersion | None) -> None:
    """A resource that is being created has no version a precondition could match."""
    if expected is not None:
        raise PreconditionFailed(
            "If-Match cannot match a resource that does not exist yet; send the request without it."
        )
