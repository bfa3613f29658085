"""Which generation serves, and which one a rollback goes back to.

A rebuild keeps the generation it replaced (until ``conference prune-generations``), so
the one to go back to is the newest generation older than the serving one. A rebuild
that does not switch drops its generation, so every older one has served; a newer one
is a generation rolled back from, never a rollback's target.
"""

from __future__ import annotations

from query_service.read_store.generations import generation_number
from query_service.read_store.port import GenerationInfo


class NothingToRollBack(Exception):
    """No generation older than the serving one is kept."""


def serving(generations: list[GenerationInfo]) -> str | None:
    return next((g.name for g in generations if g.serving), None)


def rollback_target(generations: list[GenerationInfo]) -> str:
    """The generation a rollback switches to; ``NothingToRollBack`` when none is kept."""
    current = serving(generations)
    if current is None:
        raise NothingToRollBack("no generation serves yet")
    older = [g.name for g in generations if generation_number(g.name) < generation_number(current)]
    if not older:
        raise NothingToRollBack(
            f"{current} serves and no older generation is kept (none was rebuilt before it, "
            "or prune-generations dropped it)"
        )
    return max(older, key=generation_number)
