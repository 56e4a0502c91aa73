"""The JSON error middleware: every error answer is ``{"message": ..., "errors"?: [...]}``.

This is the one place where error types become HTTP statuses.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from openapi.data.json import dumps
from openapi.data.validate import ValidationErrors

from .errors import ApiError, _phrase
from .request_id import current_request_id

logger = logging.getLogger("openapi.spec")

JSON_CONTENT_TYPE = "application/json"
SERVER_ERROR_MESSAGE = "Internal Server Error"
# headers of an error answer that describe the body we replace
_BODY_HEADERS = frozenset((hdrs.CONTENT_TYPE, hdrs.CONTENT_LENGTH, hdrs.CONTENT_ENCODING))


def error_body(message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON body of an error answer."""
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return body


def json_error(
    status: int,
    message: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A JSON error response; a 422 always carries ``errors``."""
    if status == 422 and errors is None:
        errors = []
    kept = {k: v for k, v in (headers or {}).items() if k not in _BODY_HEADERS}
    return web.Response(
        status=status,
        text=dumps(error_body(message or _phrase(status), errors)),
        content_type=JSON_CONTENT_TYPE,
        headers=kept,
    )


def server_error_response() -> web.Response:
    """The 500 answer: no traceback; the request id, when there is one, to quote."""
    body = error_body(SERVER_ERROR_MESSAGE)
    request_id = current_request_id()
    if request_id is not None:
        body["request_id"] = request_id
    return web.Response(status=500, text=dumps(body), content_type=JSON_CONTENT_TYPE)


def _http_exception_message(exc: web.HTTPException) -> str:
    text = exc.text
    # aiohttp's default body is "404: Not Found"; a custom text says more than the reason
    if text and text != f"{exc.status}: {exc.reason}" and len(text) <= 1000:
        return text.strip()
    return exc.reason


def json_error_middleware_limited(max_size: int | None) -> Middleware:
    """:data:`json_error_middleware` that also limits request bodies to ``max_size``
    bytes (None: the application's own limit), as :func:`body_size_middleware` does: one
    middleware instead of two, since every layer costs every request (what
    :func:`~openapi.spec.setup` installs)."""

    @web.middleware
    async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        if max_size is not None and request.client_max_size != max_size:
            request = request.clone(client_max_size=max_size)
        try:
            response = await handler(request)
        except ApiError as exc:
            return json_error(exc.status, exc.message, exc.errors, exc.headers)
        except ValidationErrors as exc:
            return json_error(422, exc.message, list(exc.errors))
        except web.HTTPException as exc:
            if exc.status < 400 or exc.content_type == JSON_CONTENT_TYPE:
                raise
            return json_error(exc.status, _http_exception_message(exc), headers=exc.headers)
        except Exception:
            logger.exception("%s %s failed", request.method, request.path)
            return server_error_response()
        if (
            response.status >= 400
            and isinstance(response, web.Response)
            and not response.prepared
            and response.content_type != JSON_CONTENT_TYPE
        ):
            return json_error(response.status, response.reason, headers=response.headers)
        return response

    return json_errors


#: Turn every error into a JSON answer; a 500 is logged and never shows a traceback.
json_error_middleware: Middleware = json_error_middleware_limited(None)


def body_size_middleware(max_size: int) -> Middleware:
    """Limit request bodies to ``max_size`` bytes (aiohttp answers 413 beyond).

    Needed besides the application's own limit because a sub-application's requests are
    made by the root application, with the root's limit.
    """

    @web.middleware
    async def limit_body_size(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.client_max_size != max_size:
            request = request.clone(client_max_size=max_size)
        return await handler(request)

    return limit_body_size
