"""Conventions both services follow at their edges: problem details, database URLs, JSON
values, retries with back-off.

Not the published language (that is ``shared_domain``, standard library only): this is
shared mechanics over FastAPI, pydantic and SQLAlchemy. It imports neither service, so
either can use it without reaching into the other.
"""
