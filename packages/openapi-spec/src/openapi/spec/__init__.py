"""OpenAPI 3.1 documents and API views for aiohttp."""

from .app import setup
from .docs import DocsPage
from .docstring import docstring_yaml
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    InvalidSpecError,
    NotFound,
    UnprocessableEntity,
)
from .middleware import json_error, json_error_middleware
from .operation import Operation, op, operation_of
from .path import ApiPath, full_url, query_dict
from .renderer import SpecRenderer

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "ApiPath",
    "BadRequest",
    "Conflict",
    "DocsPage",
    "InvalidSpecError",
    "NotFound",
    "Operation",
    "SpecRenderer",
    "UnprocessableEntity",
    "__version__",
    "docstring_yaml",
    "full_url",
    "json_error",
    "json_error_middleware",
    "op",
    "operation_of",
    "query_dict",
    "setup",
]
