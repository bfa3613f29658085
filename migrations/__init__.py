"""Alembic migrations of the command database (run them with ``conference migrate``)."""
