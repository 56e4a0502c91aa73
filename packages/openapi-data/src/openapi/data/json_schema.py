"""JSON Schema 2020-12 of supported types; the one source openapi-spec renders from."""

from __future__ import annotations

from typing import Any

from ._kinds import FieldSchema, SchemaRegistry
from ._schema_writer import InvalidExample

__all__ = ["FieldSchema", "InvalidExample", "SchemaRegistry", "json_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(tp: Any) -> dict[str, Any]:
    """A standalone JSON Schema 2020-12 of ``tp``, dataclasses under ``$defs``."""
    registry = SchemaRegistry(ref_prefix="#/$defs/")
    schema = {"$schema": DRAFT, **registry.schema_of(tp)}
    if registry.definitions:
        schema["$defs"] = registry.definitions
    return schema
