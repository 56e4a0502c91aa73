"""One connected websocket: its outgoing queue and its subscriptions."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import WSCloseCode, web

if TYPE_CHECKING:
    from .sockets import Sockets

logger = logging.getLogger("openapi.ws")


class Connection:
    """A websocket connected to this process.

    Every message to the client goes through a bounded queue drained by one writer
    task, so a slow or vanished client never blocks the delivery to the others: when
    its queue is full the connection is closed with code 1013 (try again later).
    """

    def __init__(
        self,
        sockets: Sockets,
        response: web.WebSocketResponse,
        socket_id: str,
        transport: asyncio.Transport | None = None,
        *,
        queue_size: int,
    ) -> None:
        self.sockets = sockets
        self.response = response
        self.socket_id = socket_id
        self.transport = transport
        self.subscriptions: dict[str, set[str]] = {}
        """Event patterns this socket subscribes to, by channel."""
        self.closed = False
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(queue_size)
        self._writer = asyncio.create_task(self._write_loop(), name=f"ws-writer-{socket_id}")
        self._closing: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Connection({self.socket_id})"

    @property
    def subscription_count(self) -> int:
        return sum(len(patterns) for patterns in self.subscriptions.values())

    def send_text(self, text: str) -> None:
        """Queue ``text`` for the client; never waits."""
        if self.closed:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            logger.warning("websocket %s too slow: outgoing queue full, closing", self)
            self.close_soon(WSCloseCode.TRY_AGAIN_LATER, "Too slow: outgoing queue full")

    def close_soon(self, code: int, message: str) -> None:
        """Close from synchronous code: schedule :meth:`close` once."""
        if self._closing is None and not self.closed:
            self._closing = asyncio.create_task(self.close(code, message))

    async def close(
        self, code: int = WSCloseCode.OK, message: str = "", *, flush: bool = False
    ) -> None:
        """Close the websocket with ``code`` and leave every channel.

        ``flush=True`` first writes what is queued (bounded by the close timeout).
        """
        if self.closed:
            return
        self.closed = True
        if flush and not self._writer.done():
            try:
                await asyncio.wait_for(self._queue.join(), self.sockets.close_timeout)
            except TimeoutError:
                pass
        self._writer.cancel()
        # leave the channels first: closing may wait on a client that does not read
        await self.sockets.disconnect(self)
        try:
            await asyncio.wait_for(
                self.response.close(code=code, message=message.encode()),
                self.sockets.close_timeout,
            )
        except TimeoutError:
            logger.info("websocket %s did not close in time; dropping it", self)
            self._abort()
        except Exception:  # the transport may already be gone
            logger.debug("error closing websocket %s", self, exc_info=True)

    def _abort(self) -> None:
        transport = self.transport
        if transport is not None:
            transport.abort()

    async def _write_loop(self) -> None:
        queue = self._queue
        response = self.response
        try:
            while True:
                text = await queue.get()
                try:
                    if text is None:
                        return
                    await response.send_str(text)
                finally:
                    queue.task_done()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # the client went away: the reading side notices and cleans up
            logger.info("lost websocket %s while writing: %s", self, exc)
            self.close_soon(WSCloseCode.GOING_AWAY, "")
