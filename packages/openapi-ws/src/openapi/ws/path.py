"""The websocket view: the RPC protocol over one connection."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from aiohttp import WSCloseCode, WSMsgType, web
from openapi.data.json import dumps, loads
from openapi.data.validate import ValidationErrors

from .connection import Connection
from .errors import RpcError
from .handshake import HandshakeNotProtected, Requirement
from .rpc import RpcEndpoint
from .sockets import SOCKETS_KEY, Sockets

logger = logging.getLogger("openapi.ws")


class WsPath(RpcEndpoint, web.View):
    """A websocket endpoint speaking the JSON RPC protocol of aio-openapi.

    Requests are ``{"id": ..., "method": ..., "payload": ...}``; a success answers
    ``{"id", "method", "result"}``, a failure ``{"id", "method", "error": {"message",
    "errors"}}``. Bad input (malformed JSON, not an object, no id, unknown method,
    invalid payload) gets an error and the connection stays open. Binary frames close
    the connection with code 1003, frames larger than ``Sockets.max_message_size`` with
    code 1009. Requests of one connection are answered in order.

    Combine with the :class:`Subscribe` and :class:`Publish` mixins::

        @routes.view("/stream")
        class Stream(WsPath, Subscribe, Publish):
            pass
    """

    security: ClassVar[Requirement | None] = None
    """The handshake's security requirement in OpenAPI's shape (``[{"apiKey": []}]``);
    ``[]`` is public, None the application's default. Checked by ``Sockets.authenticate``
    before the upgrade: a refused client gets its 401 as an HTTP answer."""

    principal: Any = None
    """Who opened the connection (None when the handshake is not authenticated)."""

    connection: Connection
    """The connection of this view, set once the websocket is open."""

    @property
    def sockets(self) -> Sockets:
        """The :class:`Sockets` manager of the application."""
        sockets = self.request.app.get(SOCKETS_KEY)
        if not isinstance(sockets, Sockets):
            raise RuntimeError(f'app["{SOCKETS_KEY}"] must be a Sockets instance')
        return sockets

    @property
    def socket_id(self) -> str:
        return self.connection.socket_id

    async def get(self) -> web.StreamResponse:
        sockets = self.sockets
        if sockets.authenticate is not None:
            self.principal = await sockets.authenticate(self.request, self.security)
        elif self.security:
            raise HandshakeNotProtected(f"{type(self).__name__}: Sockets has no authenticate")
        response = web.WebSocketResponse(
            max_msg_size=sockets.max_message_size,
            heartbeat=sockets.heartbeat,
            # no permessage-deflate: one frame, built once, serves every subscriber
            compress=False,
            timeout=sockets.close_timeout,
        )
        if not response.can_prepare(self.request).ok:
            return web.json_response(
                {"message": "Expected a websocket upgrade request", "errors": []},
                status=400,
                dumps=dumps,
            )
        await response.prepare(self.request)
        if self.request.transport is None:  # the client left already
            return response
        self.connection = connection = sockets.connect(self.request, response, self.principal)
        try:
            async for message in response:
                if message.type == WSMsgType.TEXT:
                    for observer in sockets.observers:
                        observer.ws_message_received()
                    await self.on_text(message.data)
                elif message.type == WSMsgType.BINARY:
                    self.send_error(None, None, "Binary frames are not supported")
                    await connection.close(
                        WSCloseCode.UNSUPPORTED_DATA, "Binary frames are not supported"
                    )
                    break
                else:  # ERROR: aiohttp has closed it (1009 for an oversized frame)
                    break
        finally:
            await connection.close()
        return response

    async def on_text(self, text: str) -> None:
        """Answer one request."""
        try:
            request = loads(text)
        except ValueError as exc:
            self.send_error(None, None, f"Malformed JSON: {exc}")
            return
        except RecursionError:  # the standard library parser on deeply nested input
            self.send_error(None, None, "Malformed JSON: nested too deeply")
            return
        if not isinstance(request, dict):
            self.send_error(None, None, f"Expected a JSON object, got {_json_type(request)}")
            return
        id_ = request.get("id")
        method = request.get("method")
        errors: list[dict[str, Any]] = []
        if id_ is None:
            errors.append({"field": "id", "message": "required"})
        elif isinstance(id_, bool) or not isinstance(id_, str | int):
            errors.append({"field": "id", "message": "must be a string or an integer"})
            id_ = None
        if method is None:
            errors.append({"field": "method", "message": "required"})
        elif not isinstance(method, str):
            errors.append({"field": "method", "message": "must be a string"})
            method = None
        if errors or not isinstance(method, str):
            self.send_error(id_, method, "Invalid RPC request", errors)
            return
        rpc = self.rpc_methods.get(method)
        if rpc is None:
            self.send_error(
                id_,
                method,
                f"Unknown method '{method}'",
                [{"field": "method", "message": f"unknown method '{method}'"}],
            )
            return
        payload = request.get("payload")
        with self.connection.sockets.rpc_span(method):
            try:
                result = await rpc(self, {} if payload is None else payload)
                frame = dumps({"id": id_, "method": method, "result": result})
            except RpcError as exc:
                self.send_error(id_, method, exc.message, exc.errors)
            except ValidationErrors as exc:
                self.send_error(id_, method, exc.message, exc.errors)
            except Exception:
                logger.exception("websocket RPC %r failed", method)
                self.send_error(id_, method, "Internal server error")
            else:
                self.connection.send_text(frame)

    def send(self, message: Any) -> None:
        """Queue ``message`` (anything ``openapi.data.json.dumps`` encodes) for the client."""
        self.connection.send_text(dumps(message))

    def send_error(
        self,
        id_: Any,
        method: str | None,
        message: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        """Queue an error answer."""
        self.send(
            {
                "id": id_,
                "method": method,
                "error": {"message": message, "errors": list(errors or ())},
            }
        )


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"
