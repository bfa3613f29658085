"""Bearer tokens (OAuth2 JWTs) both APIs accept: settings, key sources, verification.

Verifying a token is shared mechanics, like problem details: the write API requires a token
on every command, the search API only when ``QUERY_REQUIRE_TOKEN`` is set. What a caller
may do once known is each service's own policy (the command side's ``policy/``).
"""
