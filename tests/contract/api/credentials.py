"""The one place where the fuzz tests get their credentials.

``auth_headers_for(role)`` gives the headers every generated request of that role carries.
The write API does not check tokens yet, so today they are empty; once it does, this
returns ``{"Authorization": "Bearer <token>"}`` for a token of ``role`` whose subject is
``SUBJECTS[role]``, and the fuzzing turns its authentication checks on by itself.
"""

from __future__ import annotations

SUBJECTS = {"organizer": "fuzz-organizer", "speaker": "fuzz-speaker", "attendee": "fuzz-attendee"}
"""The token subject of each role: the attendee's is the ``attendee_id`` the fuzzing uses."""


def auth_headers_for(role: str) -> dict[str, str]:
    assert role in SUBJECTS, role
    return {}


def tokens_enforced() -> bool:
    """Whether there are tokens to send, i.e. the write API checks them."""
    return any(auth_headers_for(role) for role in SUBJECTS)
