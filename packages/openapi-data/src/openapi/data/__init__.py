"""Pure-dataclass validation, serialization and JSON Schema, compiled once per type."""

from .fields import FieldInfo, ValidationError, Validator, field_info
from .json_schema import FieldSchema, SchemaRegistry, json_schema
from .markers import (
    Description,
    Format,
    Ge,
    Gt,
    Le,
    Lt,
    Marker,
    MaxLength,
    MinLength,
    MultipleOf,
    Pattern,
    Precision,
    TzAware,
)
from .upload import UploadFile
from .validate import ValidatedData, ValidationErrors, validated_schema

__version__ = "0.1.0"

__all__ = [
    "Description",
    "FieldInfo",
    "FieldSchema",
    "Format",
    "Ge",
    "Gt",
    "Le",
    "Lt",
    "Marker",
    "MaxLength",
    "MinLength",
    "MultipleOf",
    "Pattern",
    "Precision",
    "SchemaRegistry",
    "TzAware",
    "UploadFile",
    "ValidatedData",
    "ValidationError",
    "ValidationErrors",
    "Validator",
    "__version__",
    "field_info",
    "forbid_unknown",
    "json_schema",
    "validated_schema",
]


def forbid_unknown(cls: type) -> type:
    """Class decorator: input keys the dataclass does not declare become errors."""
    cls.__openapi_forbid_unknown__ = True  # type: ignore[attr-defined]
    return cls
