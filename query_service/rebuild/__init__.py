"""Rebuild the read models from the retained event log, verify, switch over, roll back.

A new generation is filled by a projector pinned to it (``replay``), from position 0,
while the serving generation keeps answering; it may be compared with the serving one
(``verify``) before the pointer moves in one step (``switch``); a live projector follows
the pointer. The operations an operator runs are in ``operations``.
"""

from query_service.rebuild.operations import (
    Outcome,
    Verification,
    rebuild_read_models,
    roll_back,
)
from query_service.rebuild.switch import NothingToRollBack

__all__ = ["NothingToRollBack", "Outcome", "Verification", "rebuild_read_models", "roll_back"]
