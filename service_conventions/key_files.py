"""Secrets a host's processes share through a file under ``./var/`` on the embedded default.

The first process to need a key creates it; every later one, of any role, reads the same
(cursor signing, ADR 069; consistency tokens, ADR 080).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import SecretStr


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


def configured_or_shared(configured: SecretStr | None, path: Path) -> bytes:
    """The key a setting names, else the one shared through ``path``."""
    return configured.get_secret_value().encode() if configured is not None else shared_key(path)


def previous_keys(setting: SecretStr) -> list[bytes]:
    """A rotation's comma-separated keys that still verify."""
    return [item.strip().encode() for item in setting.get_secret_value().split(",") if item.strip()]
