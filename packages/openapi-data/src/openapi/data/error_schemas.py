"""Dataclasses describing the JSON error bodies of every package.

openapi.spec documents its error responses with them and openapi.ws its RPC errors, so
both documents name these components alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from .markers import Description


@dataclass
class Error:
    """An error message."""

    message: Annotated[str, Description("What went wrong")]


@dataclass
class FieldError:
    """A validation error for one field."""

    field: Annotated[str, Description("Dotted path of the field, list indexes as numbers")]
    message: Annotated[str, Description("What is wrong with the field")]


@dataclass
class ValidationErrorBody:
    """The body of a 422 answer: a message and the list of field errors (not to be
    confused with the exception :class:`openapi.data.ValidationError`)."""

    message: Annotated[str, Description("What went wrong")]
    errors: Annotated[list[FieldError], Description("The invalid fields")]
