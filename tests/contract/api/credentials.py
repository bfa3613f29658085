"""The one place where the fuzz tests get their credentials.

``auth_headers_for(role)`` gives the headers every generated request of that role carries:
a bearer token of ``role`` whose subject is ``SUBJECTS[role]``, signed by ``KEY_FILE``, the
local signing key of every app the fuzzing builds (``settings``). With tokens to send, the
fuzzing also checks the security requirement itself (no token, a broken one: 401).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from command_service.settings import Settings, load_settings
from tests.tokens import RoleTokens

SUBJECTS = {"organizer": "fuzz-organizer", "speaker": "fuzz-speaker", "attendee": "fuzz-attendee"}
"""The token subject of each role: the attendee's is the ``attendee_id`` the fuzzing uses."""

KEY_FILE = Path(tempfile.mkdtemp(prefix="fuzz-auth-")) / "auth-signing-key.pem"


def settings(database_url: str) -> Settings:
    """The write API's settings for a fuzzed app: its tokens verify with ``KEY_FILE``."""
    return load_settings(database_url=database_url, auth_signing_key_file=KEY_FILE)


_TOKENS = RoleTokens(settings("sqlite://"))


def auth_headers_for(role: str) -> dict[str, str]:
    assert role in SUBJECTS, role
    return _TOKENS.header(SUBJECTS[role], role)


def tokens_enforced() -> bool:
    """Whether there are tokens to send, i.e. the write API checks them."""
    return any(auth_headers_for(role) for role in SUBJECTS)
