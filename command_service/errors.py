"""Errors of the application layer: they concern how a command is run, not a domain rule.

The domain's own errors live in ``shared_domain.errors``; these sit beside them so that the
HTTP edge can map both families with one table (``api/problems.py``).
"""

from __future__ import annotations

from typing import ClassVar


class ApplicationError(Exception):
    """Base of the errors that the command side raises on purpose."""

    code: ClassVar[str] = "application-error"
    title: ClassVar[str] = "The command could not be carried out"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class PreconditionFailed(ApplicationError):
    """The client's ``If-Match`` names a version that is no longer current."""

    code = "precondition-failed"
    title = "The resource has changed since the version you named"


class ConcurrencyConflict(ApplicationError):
    """Another transaction saved the same aggregate first (``UPDATE … WHERE version`` hit 0 rows).

    The runner retries the command a few times; only when every attempt lost the race does
    the client see it.
    """

    code = "concurrent-update"
    title = "The resource is being changed by another request; try again"


class IdempotencyKeyReused(ApplicationError):
    """The ``Idempotency-Key`` was first used for a different request."""

    code = "idempotency-key-reused"
    title = "The idempotency key was used for a different request"


class Forbidden(ApplicationError):
    """The caller is known but their roles (or ownership) do not allow the command."""

    code = "forbidden"
    title = "You may not do this"


class ConnectionLost(Exception):
    """The database connection dropped before the transaction's COMMIT was sent (ADR 077).

    Nothing was written (the server rolls an unfinished transaction back), so the runner
    re-runs the command on a fresh connection; the pool has already discarded the stale
    ones. This replaces a ping on every checkout. If every attempt loses its connection,
    the runner raises ``error``, the database's own error (503, as before).
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error
