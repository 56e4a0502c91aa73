"""Request ids: ``X-Request-Id`` taken from the client when well formed, else generated.

The id is returned on every answer and held in a context variable while the request is
served, so log lines, error bodies and error reports of that request can name it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from aiohttp import web
from aiohttp.typedefs import Handler

REQUEST_ID_HEADER = "X-Request-Id"
#: what a client's id may look like: printable, no spaces, short enough to log
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("openapi_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, None outside one."""
    return request_id_var.get()


def new_request_id() -> str:
    """A fresh id: 32 hex digits."""
    return uuid.uuid4().hex


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set the request id for the handler and answer it in ``X-Request-Id``."""
    given = request.headers.get(REQUEST_ID_HEADER)
    request_id = given if given and REQUEST_ID_PATTERN.fullmatch(given) else new_request_id()
    token = request_id_var.set(request_id)
    try:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and errors left as exceptions
            exc.headers[REQUEST_ID_HEADER] = request_id
            raise
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
    finally:
        request_id_var.reset(token)


async def _on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
    # streamed answers and websockets are prepared inside the handler, before it returns
    request_id = request_id_var.get()
    if request_id is not None and REQUEST_ID_HEADER not in response.headers:
        response.headers[REQUEST_ID_HEADER] = request_id


def setup_request_id(app: web.Application) -> None:
    """Give every request of ``app`` an id (the outermost middleware)."""
    app.middlewares.insert(0, request_id_middleware)
    app.on_response_prepare.append(_on_response_prepare)
