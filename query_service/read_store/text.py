"""Text rules every read-store adapter shares, so engines agree on what a word and a
speaker are.

- ``words``: user text is split into letter/digit runs and every one must match; no input
  is ever parsed as engine syntax (FTS5 expressions, Lucene query strings).
- ``speaker_key``: two speaker names are the same person when they match ignoring case
  and runs of white space (SPEC §2, ADR 014).
"""

from __future__ import annotations

import re

MAX_WORDS = 16
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())[:MAX_WORDS]


def speaker_key(name: str) -> str:
    """Speakers are the same person when names match ignoring case and spacing."""
    return " ".join(name.split()).casefold()
