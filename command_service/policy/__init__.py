"""Who may run which command: the application's policy around the handlers.

Not a domain rule (a talk does not know about tokens), so it lives beside the handlers,
not in ``shared_domain``. ``authorize`` runs first in a command's transaction, before the
idempotency lookup, so a caller who may not run a command cannot replay its answer either.
"""
