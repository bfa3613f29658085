"""SQLite database URLs (``sqlite:///relative.db``, ``sqlite:////abs.db``) to file paths."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit


class NotASqliteUrl(ValueError):
    """The URL names another engine; the embedded adapters cannot use it."""


def sqlite_path(url: str) -> Path:
    scheme = urlsplit(url).scheme
    if scheme != "sqlite" and not scheme.startswith("sqlite+"):
        raise NotASqliteUrl(f"{url!r} is not a sqlite:/// URL")
    _, _, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    if not path or path == ":memory:":
        raise NotASqliteUrl(f"{url!r} does not name a database file")
    return Path(path)
