"""The search REST API (FastAPI): routers per resource, problem+json errors."""
