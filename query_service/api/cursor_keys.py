"""Where the cursor signing key comes from: the settings, or a key file shared on the host.

``CURSOR_SIGNING_KEY`` wins (the distributed shape sets it, the same on every replica).
Unset, the key is read from ``CURSOR_SIGNING_KEY_FILE`` (``./var/cursor-signing.key``),
which the first process to need it creates: every replica of the embedded shape on one
host then signs alike, with nothing to configure (ADR 069).
"""

from __future__ import annotations

from pathlib import Path

from query_service.api.cursor_signing import CursorSigner
from query_service.settings import QuerySettings
from service_conventions.key_files import configured_or_shared, previous_keys


def cursor_signer(settings: QuerySettings) -> CursorSigner:
    key = configured_or_shared(settings.cursor_signing_key, Path(settings.cursor_signing_key_file))
    return CursorSigner(
        key,
        previous_keys=previous_keys(settings.cursor_previous_signing_keys),
        max_age_seconds=settings.cursor_max_age_seconds,
    )
