"""Read your writes: every read endpoint takes the write API's ``Consistency-Token``.

With the header, a read waits (through the process's one ``VersionWatcher``) until the
read models reflect every mark of the token(s), at most ``wait_ms``, then answers as
usual; past the bound it answers 503 ``read-model-behind`` with ``Retry-After``, never
stale data. A token that is not this deployment's is a 422 (ADR 080).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, Request

from query_service.api.problems import InvalidParameter, ReadModelBehind
from query_service.api.version_watcher import VersionWatcher
from service_conventions.consistency.token import ConsistencyTokens, InvalidConsistencyToken

HEADER = "Consistency-Token"
DEFAULT_WAIT_MS = 2000
MAX_WAIT_MS = 10_000
MAX_HEADER_LENGTH = 8192


async def read_your_writes(
    request: Request,
    consistency_token: Annotated[
        str | None,
        Header(
            alias=HEADER,
            max_length=MAX_HEADER_LENGTH,
            description="The Consistency-Token of one or more commands (comma-joined): "
            "answer only once the read models reflect them",
        ),
    ] = None,
    wait_ms: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_WAIT_MS,
            description="With Consistency-Token: how long to wait for the read models, in "
            "milliseconds, before answering 503 read-model-behind",
        ),
    ] = DEFAULT_WAIT_MS,
) -> None:
    if consistency_token is None:
        return
    tokens: ConsistencyTokens = request.app.state.consistency_tokens
    watcher: VersionWatcher = request.app.state.version_watcher
    try:
        awaited = tokens.open(",".join(request.headers.getlist(HEADER)))
    except InvalidConsistencyToken as error:
        raise InvalidParameter(HEADER, str(error)) from None
    if not await watcher.wait_for(awaited, wait_ms / 1000):
        raise ReadModelBehind(wait_ms)
