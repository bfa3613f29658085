"""Only the stores' ``<em>`` marks become markup; everything else is text."""

from __future__ import annotations

import pytest

from query_service.web.highlight import safe_highlight


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        ("<em>Python</em> typing", "<mark>Python</mark> typing"),
        ("a &amp; <em>b</em>", "a &amp; <mark>b</mark>"),
        ("<script>x</script> <em>y</em>", "&lt;script&gt;x&lt;/script&gt; <mark>y</mark>"),
        ("&lt;b&gt;", "&lt;b&gt;"),
        ("<em>open", "<mark>open</mark>"),
        ("stray</em> close", "stray close"),
        ('<em onclick="x">a</em>', "&lt;em onclick=&#34;x&#34;&gt;a"),
    ],
)
def test_marks_survive_and_nothing_else_does(snippet: str, shown: str) -> None:
    assert str(safe_highlight(snippet)) == shown
