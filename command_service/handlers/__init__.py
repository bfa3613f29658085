"""Use cases of the command side: one module per command, each a small plain function.

A handler takes its command and a unit of work, loads aggregates, lets them act, and
returns the ``CommandResult``. It never commits: ``runner.run`` owns the transaction, so the
idempotency record, the retry on a lost race and the commit live in one place.
"""
