"""Generations: the read models of one rebuild, named ``g<number>``, switched over together.

Both read stores keep every read model in generations (SQLite: a table prefix; search
engines: part of the index name), so the names, their check and their order are one
convention. The check matters: a generation becomes part of a table or index name.
"""

from __future__ import annotations

import re

FIRST_GENERATION = "g1"
_GENERATION = re.compile(r"^g([0-9]{1,6})$")


def is_generation(name: str) -> bool:
    return _GENERATION.match(name) is not None


def check_generation(name: str) -> str:
    """``name`` if it is ``g<number>``; a ``ValueError`` otherwise."""
    if not is_generation(name):
        raise ValueError(f"invalid generation name {name!r}")
    return name


def generation_number(name: str) -> int:
    """``g3`` -> 3: generations are ordered by number, not by name (``g10`` after ``g9``)."""
    match = _GENERATION.match(name)
    if match is None:
        raise ValueError(f"invalid generation name {name!r}")
    return int(match.group(1))


def generation_named(number: int) -> str:
    return check_generation(f"g{number}")
