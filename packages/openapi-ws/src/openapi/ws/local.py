"""An in-process broker: messages reach the sockets of this process only."""

from __future__ import annotations

from typing import Any

from .broker import Broker, Deliver


class LocalBroker(Broker):
    """Delivers every published message to the subscribers of the same process.

    The default broker of :class:`~openapi.ws.Sockets`; use
    :class:`~openapi.ws.PostgresBroker` when the application runs in several processes.
    """

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._channels: set[str] = set()

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def close(self) -> None:
        self._deliver = None
        self._channels.clear()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def publish(self, channel: str, event: str, frame: str) -> None:
        if self._deliver is not None and channel in self._channels:
            self._deliver(channel, event, frame)

    def info(self) -> dict[str, Any]:
        return {"name": type(self).__name__, "channels": len(self._channels)}
