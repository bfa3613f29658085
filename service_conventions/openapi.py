"""The OpenAPI conventions both APIs follow: errors documented as the problem+json they are.

FastAPI documents every error as ``application/json`` and adds a 422 of its own
(``HTTPValidationError``) that neither API ever sends. Here a service names, per operation,
the statuses it answers with a problem; each one becomes an ``application/problem+json``
response whose schema is ``Problem`` (``ValidationProblem`` for 422: its ``errors`` list),
and ``install_openapi`` adds those schemas to the components. Declaring a 422 on every
operation that has parameters is what keeps FastAPI's own shape out of the document.

An optional parameter is ``X | None`` in Python, which FastAPI renders as "X or null"; in
HTTP an optional parameter is simply left out, so the document drops the ``null``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from service_conventions.problems import MEDIA_TYPE, FieldProblem, Problem, ValidationProblem

SCHEMAS = "#/components/schemas/"

Responses = dict[int | str, dict[str, Any]]
Document = dict[str, Any]


def string_header(description: str, *, required: bool = True, **schema: Any) -> dict[str, Any]:
    """A response header of type string, for a response's ``headers``."""
    return {
        "description": description,
        "required": required,
        "schema": {"type": "string", **schema},
    }


def problem_responses(
    described: Mapping[int, str], headers: Mapping[int, Mapping[str, Any]] | None = None
) -> Responses:
    """``responses=`` for a route: each status a problem+json with its description
    (422 with the ``errors`` list), plus the headers some of them carry."""
    responses: Responses = {}
    for status, description in described.items():
        model = ValidationProblem if status == 422 else Problem
        response: dict[str, Any] = {
            "description": description,
            "content": {MEDIA_TYPE: {"schema": {"$ref": SCHEMAS + model.__name__}}},
        }
        if headers and status in headers:
            response["headers"] = dict(headers[status])
        responses[status] = response
    return responses


def install_openapi(app: FastAPI, finish: Callable[[Document], None] | None = None) -> None:
    """Serve the document FastAPI generates, with the problem schemas in its components and
    ``finish`` applied once (a service's own additions, e.g. its security scheme)."""

    def openapi() -> Document:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem_schemas())
            drop_null_from_parameters(document)
            if finish is not None:
                finish(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def drop_null_from_parameters(document: Document) -> None:
    """``anyOf: [X, null]`` of a parameter becomes ``X``: no header or query value is null."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                variants = [v for v in schema.get("anyOf", []) if v != {"type": "null"}]
                if len(variants) == 1 and len(schema["anyOf"]) == 2:
                    del schema["anyOf"]
                    parameter["schema"] = {**variants[0], **schema}


def problem_schemas() -> dict[str, Any]:
    """The JSON Schemas of ``Problem``, ``ValidationProblem`` and ``FieldProblem``."""
    _, top = models_json_schema(
        [(model, "serialization") for model in (Problem, ValidationProblem, FieldProblem)],
        ref_template=SCHEMAS + "{model}",
    )
    definitions: dict[str, Any] = top["$defs"]
    return definitions
