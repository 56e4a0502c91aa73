"""One connected websocket: writing to it and its subscriptions."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractContextManager
from typing import Any, Protocol

from aiohttp import WSCloseCode, web

from .frames import text_frame
from .observers import SocketsObserver

logger = logging.getLogger("openapi.ws")


class SocketsHub(Protocol):
    """What a connection asks of the :class:`~openapi.ws.Sockets` that accepted it
    (a protocol, so this module need not import the one that imports it)."""

    max_send_buffer: int
    close_timeout: float
    observers: tuple[SocketsObserver, ...]

    def flush_soon(self, connection: Connection) -> None: ...

    async def disconnect(self, connection: Connection) -> None: ...

    async def subscribe(self, connection: Connection, channel: str, pattern: str) -> None: ...

    async def unsubscribe(
        self, connection: Connection, channel: str, pattern: str | None = None
    ) -> None: ...

    async def publish(self, channel: str, event: str, data: Any) -> None: ...

    def rpc_span(self, method: str) -> AbstractContextManager[object]: ...


class Connection:
    """A websocket connected to this process.

    Messages are written without waiting: complete text frames are collected during a
    loop iteration and written to the socket's transport in one call at its end
    (frames written whole never interleave with the pings and close frames aiohttp
    writes). A slow or vanished client therefore never blocks the delivery to the
    others: once more than ``Sockets.max_send_buffer`` bytes wait in
    its buffer it is closed with code 1013 (try again later).
    """

    def __init__(
        self,
        sockets: SocketsHub,
        response: web.WebSocketResponse,
        transport: asyncio.WriteTransport,
        socket_id: str,
        principal: Any = None,
    ) -> None:
        self.sockets = sockets
        self.response = response
        self.transport = transport
        self.socket_id = socket_id
        self.principal = principal
        """Who opened the connection, as the handshake's authentication returned it."""
        self.subscriptions: dict[str, set[str]] = {}
        """Event patterns this socket subscribes to, by channel."""
        self.closed = False
        self._closing: asyncio.Task[None] | None = None
        self._pending: list[bytes] = []

    def __repr__(self) -> str:
        return f"Connection({self.socket_id})"

    @property
    def subscription_count(self) -> int:
        return sum(len(patterns) for patterns in self.subscriptions.values())

    def send_text(self, text: str) -> None:
        """Send ``text`` to the client; never waits."""
        self.send_frame(text_frame(text.encode()))

    def send_frame(self, frame: bytes) -> None:
        """Send a complete frame (see :func:`~openapi.ws.frames.text_frame`)."""
        if self.closed:
            return
        transport = self.transport
        if transport.is_closing() or self.response.closed:
            self.close_soon(WSCloseCode.GOING_AWAY, "")
            return
        if transport.get_write_buffer_size() > self.sockets.max_send_buffer:
            logger.warning("websocket %s too slow: send buffer full, closing", self)
            self.close_soon(WSCloseCode.TRY_AGAIN_LATER, "Too slow: send buffer full")
            return
        if not self._pending:
            self.sockets.flush_soon(self)
        self._pending.append(frame)

    def flush(self) -> None:
        """Write the frames sent during this loop iteration in one go."""
        pending = self._pending
        if pending:
            self._pending = []
            # never after aiohttp's close frame
            if not (self.closed or self.response.closed or self.transport.is_closing()):
                self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
                for observer in self.sockets.observers:
                    observer.ws_message_sent(len(pending))

    def close_soon(self, code: int, message: str) -> None:
        """Close from synchronous code: schedule :meth:`close` once."""
        if self._closing is None and not self.closed:
            self._closing = asyncio.create_task(self.close(code, message))

    async def close(self, code: int = WSCloseCode.OK, message: str = "") -> None:
        """Close the websocket with ``code`` and leave every channel."""
        if self.closed:
            return
        self.flush()  # what was sent before closing goes before the close frame
        self.closed = True
        # leave the channels first: closing may wait on a client that does not read
        await self.sockets.disconnect(self)
        try:
            await asyncio.wait_for(
                self.response.close(code=code, message=message.encode()),
                self.sockets.close_timeout,
            )
        except TimeoutError:
            logger.info("websocket %s did not close in time; dropping it", self)
            self.transport.abort()
        except Exception:  # the transport may already be gone
            logger.debug("error closing websocket %s", self, exc_info=True)
