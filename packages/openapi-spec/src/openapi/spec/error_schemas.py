"""The JSON error bodies every operation's responses refer to (defined in openapi.data,
shared with openapi.ws's AsyncAPI document)."""

from __future__ import annotations

from openapi.data.error_schemas import Error, FieldError, ValidationErrorBody

__all__ = ["Error", "FieldError", "ValidationErrorBody"]
