"""OpenAPI 3.1 documents and API views for aiohttp."""

from .app import DEFAULT_MAX_BODY_SIZE, SPEC_APP_KEY, setup
from .compression import Compression
from .cors import Cors
from .docs import DocsPage
from .docstring import docstring_spec, docstring_yaml
from .errors import (
    ApiError,
    BadRequest,
    ConfigurationError,
    Conflict,
    Forbidden,
    InsufficientScope,
    InvalidSpecError,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    UnprocessableEntity,
    UnsupportedMediaType,
)
from .filter_operators import FILTER_OPERATORS
from .form_body import FORM_URLENCODED, MULTIPART_FORM
from .health import setup_health
from .json_response import json_body_response
from .middleware import json_error, json_error_middleware
from .observers import OBSERVERS, add_observer
from .operation import Operation, op, operation_of
from .path import ApiPath, full_url, query_dict
from .query import UnknownQueryParameter
from .readiness import READY_CHECKS, ShutdownState, add_ready_check, shutdown_state
from .renderer import RESPONSE_HEADERS_ATTRIBUTE, SpecRenderer
from .request_id import REQUEST_ID_HEADER, current_request_id, setup_request_id
from .route_template import route_template
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
from .streaming import (
    NDJSON_MEDIA_TYPE,
    SSE_MEDIA_TYPE,
    ServerSentEvent,
    event_stream_response,
    stream_rows,
)

__version__ = "0.1.0"

__all__ = [
    "NDJSON_MEDIA_TYPE",
    "SSE_MEDIA_TYPE",
    "ServerSentEvent",
    "event_stream_response",
    "stream_rows",
    "json_body_response",
    "DEFAULT_MAX_BODY_SIZE",
    "RESPONSE_HEADERS_ATTRIBUTE",
    "SPEC_APP_KEY",
    "FILTER_OPERATORS",
    "FORM_URLENCODED",
    "MULTIPART_FORM",
    "OBSERVERS",
    "READY_CHECKS",
    "REQUEST_ID_HEADER",
    "ApiError",
    "ApiKey",
    "ApiPath",
    "BadRequest",
    "BasicCredentials",
    "Compression",
    "Conflict",
    "Cors",
    "DocsPage",
    "Forbidden",
    "HttpBasic",
    "HttpBearer",
    "InsufficientScope",
    "InvalidSpecError",
    "ConfigurationError",
    "NotFound",
    "OAuth2",
    "OpenIdConnect",
    "PayloadTooLarge",
    "Operation",
    "PRINCIPAL_KEY",
    "SECURITY_KEY",
    "Security",
    "SecurityScheme",
    "ShutdownState",
    "SpecRenderer",
    "Unauthorized",
    "UnknownQueryParameter",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "__version__",
    "add_observer",
    "add_ready_check",
    "current_request_id",
    "docstring_spec",
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
    "route_template",
    "secret_equals",
    "setup",
    "setup_health",
    "setup_request_id",
    "shutdown_state",
]
