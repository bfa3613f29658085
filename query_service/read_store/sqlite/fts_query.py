"""User text -> an FTS5 MATCH expression, with typo tolerance from the index vocabulary.

The text is split into words the way ``unicode61`` does (letters and digits); each word is
quoted, so no user input is ever parsed as FTS5 syntax. All words must match (AND). A word
of at least four characters that matches nothing is replaced by the indexed terms one edit
away (an ``fts5vocab`` table over an unstemmed twin index lists the words as written);
the query then stems them like any other word. That is the typo tolerance SQLite allows.
"""

from __future__ import annotations

import sqlite3

from query_service.read_store.text import words

MIN_TYPO_LENGTH = 4
MAX_ALTERNATIVES = 8

__all__ = ["match_expression", "within_one_edit", "words"]


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance of at most one (insert, delete or substitute one character)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _matches(conn: sqlite3.Connection, g: str, word: str) -> bool:
    row = conn.execute(
        f"SELECT 1 FROM {g}_talks_fts WHERE {g}_talks_fts MATCH ? LIMIT 1", (_quote(word),)
    ).fetchone()
    return row is not None


def _neighbours(conn: sqlite3.Connection, g: str, word: str) -> list[str]:
    """Indexed words one edit away, the most widespread first."""
    rows = conn.execute(
        f"SELECT term FROM {g}_words_vocab WHERE length(term) BETWEEN ? AND ? ORDER BY doc DESC",
        (len(word) - 1, len(word) + 1),
    ).fetchall()
    found = [str(r[0]) for r in rows if within_one_edit(str(r[0]), word)]
    return found[:MAX_ALTERNATIVES]


def match_expression(conn: sqlite3.Connection, g: str, text: str) -> str | None:
    """The MATCH expression for ``text``, or None when it holds no searchable word."""
    parts: list[str] = []
    for word in words(text):
        alternatives = [word]
        if len(word) >= MIN_TYPO_LENGTH and not _matches(conn, g, word):
            alternatives += [t for t in _neighbours(conn, g, word) if t != word]
        parts.append("(" + " OR ".join(_quote(a) for a in alternatives) + ")")
    return " AND ".join(parts) if parts else None
