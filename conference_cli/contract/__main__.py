"""``python -m conference_cli.contract [--check] [--dir DIR]``.

Without ``--check``: regenerate the contract from the code. With it: change nothing, and
exit 1 when the committed documents differ from the code (CI runs it). Both refuse, with
exit status 1, a published version whose shape changed or that was removed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from conference_cli.contract import files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conference_cli.contract",
        description="JSON Schemas and the AsyncAPI document of the domain events",
    )
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--dir", type=Path, default=files.CONTRACT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    directory: Path = args.dir
    violations = files.frozen_violations(
        files.published_fingerprints(directory), files.fingerprints()
    )
    for violation in violations:
        print(f"error: {violation}", file=sys.stderr)
    if violations:
        return 1
    expected = files.expected_files()
    stale = files.stale_files(directory, expected) if directory.exists() else sorted(expected)
    if args.check:
        for name in stale:
            print(f"out of date: {directory / name}", file=sys.stderr)
        if stale:
            print("run: python -m conference_cli.contract", file=sys.stderr)
        return 1 if stale else 0
    directory.mkdir(parents=True, exist_ok=True)
    files.write(directory, expected)
    print(f"{len(stale)} of {len(expected)} files written under {directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
