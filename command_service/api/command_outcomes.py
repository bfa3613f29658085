"""Counting commands by outcome (``conference_commands_total``).

An outcome is one of a small set: ``applied``, ``replayed`` (an idempotent retry answered
from the stored result), ``precondition_failed`` (``If-Match`` named an old version) or
``rejected``, with the domain rule or application error that refused it in ``rule`` (its
class name: a bounded set, the same one the problem types come from).
"""

from __future__ import annotations

from collections.abc import Callable

from command_service.errors import ApplicationError, PreconditionFailed
from command_service.handlers.runner import CommandRun
from service_conventions.metrics.catalog import COMMANDS
from shared_domain.errors import DomainError


def counted(command: object, run: Callable[[], CommandRun]) -> CommandRun:
    """Run the command and count its outcome; errors of the infrastructure (a database that
    is away) are not an outcome of the command and are not counted."""
    name = type(command).__name__
    try:
        outcome = run()
    except PreconditionFailed:
        COMMANDS.labels(name, "precondition_failed", "").inc()
        raise
    except (DomainError, ApplicationError) as error:
        COMMANDS.labels(name, "rejected", type(error).__name__).inc()
        raise
    COMMANDS.labels(name, "replayed" if outcome.replayed else "applied", "").inc()
    return outcome
