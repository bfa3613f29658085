"""``conference token``: a bearer token for this deployment, signed by its local key.

``conference up`` makes the key (``AUTH_SIGNING_KEY_FILE``, under ``./var``) on first
start; run ``conference token`` in the same folder and with the same ``AUTH_*`` settings,
and the token verifies there. With ``AUTH_JWKS_URL`` set, tokens come from the provider.
"""

from __future__ import annotations

import argparse
import re
import sys

from service_conventions.auth import local_key
from service_conventions.auth.issuing import CannotIssue, issue_token
from service_conventions.auth.settings import AuthSettings

MAX_TTL_SECONDS = 30 * 86400
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TTL = re.compile(r"^(\d{1,7})([smhd]?)$")


def ttl_seconds(text: str) -> int:
    """``90``, ``90s``, ``15m``, ``8h``, ``2d`` -> seconds (1 s to 30 days)."""
    match = _TTL.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 3600, 15m, 8h, 2d")
    seconds = int(match[1]) * _UNITS[match[2] or "s"]
    if not 1 <= seconds <= MAX_TTL_SECONDS:
        raise argparse.ArgumentTypeError("the ttl must be between 1 second and 30 days")
    return seconds


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("token", help="print a bearer token for this deployment")
    parser.add_argument(
        "--role",
        action="append",
        required=True,
        choices=("organizer", "speaker", "attendee"),
        help="a role the token grants (repeat for several)",
    )
    parser.add_argument("--subject", required=True, help="who the token is for (its 'sub')")
    parser.add_argument(
        "--ttl", type=ttl_seconds, default=3600, help="how long it is valid: 3600, 15m, 8h"
    )


def run(args: argparse.Namespace) -> int:
    try:
        token = issue_token(
            AuthSettings(), subject=args.subject, roles=args.role, ttl_seconds=args.ttl
        )
    except CannotIssue as error:
        print(f"conference token: {error}", file=sys.stderr)
        return 1
    print(token)
    return 0


def ensure_signing_key() -> None:
    """Create the local signing key before the roles start (none when a provider signs)."""
    settings = AuthSettings()
    if not settings.auth_jwks_url:
        local_key.load_or_create(settings.auth_signing_key_file)
