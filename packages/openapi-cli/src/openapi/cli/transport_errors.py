"""aiohttp's own error answers (a request line too long, a malformed request) as JSON.

aiohttp's HTTP parser refuses some requests before any application code runs, so the
JSON error middleware never sees them and aiohttp answered in text/plain: a client then
got two kinds of error bodies from one API.
"""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from aiohttp.http_exceptions import LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse
from openapi.spec import json_error

__all__ = ["JsonErrorAppRunner"]


def _message(status: int, exc: BaseException | None) -> str:
    # aiohttp's own message echoes the offending bytes: say what was wrong instead
    if isinstance(exc, LineTooLong):
        return "Request line or header too long"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _JsonErrorRequestHandler(RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> StreamResponse:
        # aiohttp's handler logs the error and refuses when a response already started
        super().handle_error(request, status, exc, message)
        response = json_error(status, _message(status, exc))
        response.force_close()
        return response


class _JsonErrorServer(web.Server):
    def __call__(self) -> RequestHandler:
        return _JsonErrorRequestHandler(self, loop=self._loop, **self._kwargs)


class JsonErrorAppRunner(web.AppRunner):
    """An ``AppRunner`` whose connections answer aiohttp's own errors as JSON."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # the application built its Server: only the connection handler it makes changes
        server.__class__ = _JsonErrorServer
        return server
