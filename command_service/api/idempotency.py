"""Reading ``Idempotency-Key`` and fingerprinting the request it came with.

The fingerprint covers what makes two requests "the same": method, path, the JSON body in
canonical form (key order and spacing do not matter) and ``If-Match``. A retry with the same
key and fingerprint gets the first answer; another request under that key gets 422.

A key is 1 to 200 visible ASCII characters (``!`` to ``~``, no spaces): HTTP carries header
values as bytes that servers read as Latin-1, so anything beyond ASCII would be stored as
whatever the client's encoding made of it. Clients use UUIDs or similar tokens.
"""

from __future__ import annotations

import hashlib
import json
import re

from fastapi import Request

from command_service.api.problems import ProblemError
from command_service.handlers.runner import IdempotencyClaim

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEY_PATTERN = f"^[\\x21-\\x7e]{{1,{MAX_KEY_LENGTH}}}$"
"""1 to 200 visible ASCII characters, ``!`` to ``~`` (the OpenAPI ``pattern`` too)."""
_KEY = re.compile(KEY_PATTERN)


async def claim_from(request: Request, key: str | None, caller: str) -> IdempotencyClaim | None:
    """The claim of ``key`` by ``caller``: the same request from the same caller replays its
    answer; anyone else reusing the key gets 422, never another caller's answer."""
    if key is None:
        return None
    if _KEY.fullmatch(key) is None:
        raise ProblemError(
            400,
            "invalid-idempotency-key",
            "The Idempotency-Key header is malformed",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
            "(! to ~, no spaces), such as a UUID.",
        )
    body = await request.body()
    return IdempotencyClaim(key=key, fingerprint=fingerprint(request, body, caller))


def fingerprint(request: Request, body: bytes, caller: str) -> str:
    try:
        canonical_body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):  # not JSON, empty, or nested too deep: the bytes
        canonical_body = body.decode("latin-1")
    material = json.dumps(
        [caller, request.method, request.url.path, canonical_body, request.headers.get("if-match")],
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()
