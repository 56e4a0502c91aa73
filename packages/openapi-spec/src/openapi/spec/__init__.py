"""OpenAPI 3.1 documents and API views for aiohttp."""

from .app import setup
from .cors import Cors
from .docs import DocsPage
from .docstring import docstring_yaml
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    InsufficientScope,
    InvalidSpecError,
    NotFound,
    Unauthorized,
    UnprocessableEntity,
)
from .filter_operators import FILTER_OPERATORS
from .middleware import json_error, json_error_middleware
from .operation import Operation, op, operation_of
from .path import ApiPath, full_url, query_dict
from .renderer import SpecRenderer
from .schemes import (
    ApiKey,
    BasicCredentials,
    HttpBasic,
    HttpBearer,
    OAuth2,
    OpenIdConnect,
    SecurityScheme,
    match_keys,
    match_users,
    secret_equals,
)
from .security import PRINCIPAL_KEY, SECURITY_KEY, Security, principal_of

__version__ = "0.1.0"

__all__ = [
    "FILTER_OPERATORS",
    "ApiError",
    "ApiKey",
    "ApiPath",
    "BadRequest",
    "BasicCredentials",
    "Conflict",
    "Cors",
    "DocsPage",
    "Forbidden",
    "HttpBasic",
    "HttpBearer",
    "InsufficientScope",
    "InvalidSpecError",
    "NotFound",
    "OAuth2",
    "OpenIdConnect",
    "Operation",
    "PRINCIPAL_KEY",
    "SECURITY_KEY",
    "Security",
    "SecurityScheme",
    "SpecRenderer",
    "Unauthorized",
    "UnprocessableEntity",
    "__version__",
    "docstring_yaml",
    "full_url",
    "json_error",
    "json_error_middleware",
    "match_keys",
    "match_users",
    "op",
    "operation_of",
    "principal_of",
    "query_dict",
    "secret_equals",
    "setup",
]
