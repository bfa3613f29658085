"""Signed cursors: only ours, unaltered and recent ones open (ADR 069)."""

from __future__ import annotations

import pytest

from query_service.api.cursor_signing import CLOCK_SKEW_SECONDS, CursorSigner
from query_service.read_store.port import InvalidCursor

NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def signer(key: bytes = b"k" * 32, clock: Clock | None = None, **options: object) -> CursorSigner:
    return CursorSigner(key, clock=clock or Clock(), **options)  # type: ignore[arg-type]


def test_a_sealed_cursor_opens_to_itself() -> None:
    cursors = signer()
    sealed = cursors.seal("eyJmIjoiYWJjIn0")
    assert sealed is not None
    assert sealed.startswith("eyJmIjoiYWJjIn0.")
    assert cursors.open(sealed) == "eyJmIjoiYWJjIn0"
    assert cursors.seal(None) is None
    assert cursors.open(None) is None


@pytest.mark.parametrize(
    "forged",
    ["eyJmIjoiYWJjIn0", "garbage", "", "..", "a.b.c", "a.1.", "a.-1.mac", "a.1e3.mac", "é.1.x"],
)
def test_anything_not_sealed_is_refused(forged: str) -> None:
    with pytest.raises(InvalidCursor):
        signer().open(forged)


def test_a_changed_cursor_or_time_is_refused() -> None:
    cursors = signer()
    sealed = cursors.seal("eyJmIjoiYWJjIn0")
    assert sealed is not None
    inner, issued, mac = sealed.split(".")
    for altered in (f"eyJmIjoiYWJkIn0.{issued}.{mac}", f"{inner}.{int(issued) + 1}.{mac}"):
        with pytest.raises(InvalidCursor, match="not signed"):
            cursors.open(altered)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    sealed = signer(b"other-key" * 4).seal("abc")
    with pytest.raises(InvalidCursor, match="not signed"):
        signer().open(sealed)


def test_previous_keys_still_open_cursors_during_a_rotation() -> None:
    old = signer(b"old-key" * 4)
    rotated = signer(b"new-key" * 4, previous_keys=[b"old-key" * 4])
    assert rotated.open(old.seal("abc")) == "abc"
    with pytest.raises(InvalidCursor):
        old.open(rotated.seal("abc"))


def test_an_expired_cursor_is_refused() -> None:
    clock = Clock()
    cursors = signer(clock=clock, max_age_seconds=3600)
    sealed = cursors.seal("abc")
    clock.now += 3600
    assert cursors.open(sealed) == "abc"
    clock.now += 1
    with pytest.raises(InvalidCursor, match="expired"):
        cursors.open(sealed)


def test_a_cursor_from_the_future_is_refused_beyond_clock_skew() -> None:
    clock = Clock()
    cursors = signer(clock=clock)
    clock.now += CLOCK_SKEW_SECONDS
    near = cursors.seal("abc")
    clock.now += 1
    far = cursors.seal("abc")
    clock.now = NOW
    assert cursors.open(near) == "abc"
    with pytest.raises(InvalidCursor, match="expired"):
        cursors.open(far)


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        CursorSigner(b"")


def test_ephemeral_signers_do_not_share_a_key() -> None:
    sealed = CursorSigner.ephemeral().seal("abc")
    with pytest.raises(InvalidCursor):
        CursorSigner.ephemeral().open(sealed)
