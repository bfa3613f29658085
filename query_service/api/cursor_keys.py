"""Where the cursor signing key comes from: the settings, or a key file shared on the host.

``CURSOR_SIGNING_KEY`` wins (the distributed shape sets it, the same on every replica).
Unset, the key is read from ``CURSOR_SIGNING_KEY_FILE`` (``./var/cursor-signing.key``),
which the first process to need it creates: every replica of the embedded shape on one
host then signs alike, with nothing to configure (ADR 069).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from query_service.api.cursor_signing import CursorSigner
from query_service.settings import QuerySettings


def cursor_signer(settings: QuerySettings) -> CursorSigner:
    configured = settings.cursor_signing_key
    key = (
        configured.get_secret_value().encode()
        if configured is not None
        else shared_key(Path(settings.cursor_signing_key_file))
    )
    previous = settings.cursor_previous_signing_keys.get_secret_value().split(",")
    return CursorSigner(
        key,
        previous_keys=[item.strip().encode() for item in previous if item.strip()],
        max_age_seconds=settings.cursor_max_age_seconds,
    )


def shared_key(path: Path) -> bytes:
    """The key in ``path``, created (readable by its owner only) if there is none yet.

    The new key is written to a file of its own and linked into place, which fails if
    another process got there first: then both use that one, never half a file.
    """
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_bytes().strip()
