"""OpenAPI 3.1 documents and API views for aiohttp."""

from .docstring import docstring_yaml
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    InvalidSpecError,
    NotFound,
    UnprocessableEntity,
)
from .operation import Operation, op, operation_of

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "InvalidSpecError",
    "NotFound",
    "Operation",
    "UnprocessableEntity",
    "__version__",
    "docstring_yaml",
    "op",
    "operation_of",
]
