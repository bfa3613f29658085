"""Search highlights as safe markup: only the stores' ``<em>`` marks survive as tags.

The read stores already escape the text around their marks, but the page does not trust
that: each piece between marks is unescaped and escaped again, so a store (or a future
adapter) that forgot to escape cannot put markup of a talk's author into the page.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

_MARKS = re.compile(r"(</?em>)")


def safe_highlight(snippet: str) -> Markup:
    parts: list[str] = []
    open_marks = 0
    for piece in _MARKS.split(snippet):
        if piece == "<em>":
            parts.append("<mark>")
            open_marks += 1
        elif piece == "</em>" and open_marks:
            parts.append("</mark>")
            open_marks -= 1
        elif piece != "</em>":
            parts.append(str(escape(html.unescape(piece))))
    parts.extend("</mark>" * open_marks)
    return Markup("".join(parts))
