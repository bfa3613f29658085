"""The cursor signing key: from the settings, or one key file shared on the host."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from query_service.api.cursor_keys import cursor_signer
from query_service.settings import load_settings
from service_conventions.key_files import shared_key


def test_the_key_file_is_created_once_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "cursor-signing.key"
    first = shared_key(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert shared_key(path) == first
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "cursor-signing.key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: shared_key(path), range(16)))
    assert keys == {path.read_bytes()}


def test_replicas_on_one_host_open_each_others_cursors(tmp_path: Path) -> None:
    settings = load_settings(cursor_signing_key_file=str(tmp_path / "k"))
    sealed = cursor_signer(settings).seal("abc")
    assert cursor_signer(settings).open(sealed) == "abc"


def test_a_configured_key_wins_and_previous_keys_verify(tmp_path: Path) -> None:
    key_file = str(tmp_path / "k")
    old_settings = load_settings(cursor_signing_key="o" * 32, cursor_signing_key_file=key_file)
    old = cursor_signer(old_settings)
    new = cursor_signer(
        load_settings(
            cursor_signing_key="n" * 32,
            cursor_previous_signing_keys=f" {'x' * 32}, {'o' * 32} ",
            cursor_signing_key_file=key_file,
        )
    )
    assert new.open(old.seal("abc")) == "abc"
    assert not (tmp_path / "k").exists()
