"""The small interface every message broker implements."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

Deliver = Callable[[str, str, str], None]
"""Called by a broker for every message received: ``deliver(channel, event, frame)``.

``frame`` is the JSON text sent as is to subscribers,
``{"channel": ..., "event": ..., "data": ...}``; it is encoded once by the publisher.
"""


class Broker(abc.ABC):
    """Carries published messages to every server process subscribed to a channel.

    The :class:`~openapi.ws.Sockets` manager calls :meth:`start` on application startup
    and :meth:`close` on shutdown; it calls :meth:`subscribe` when the first local
    socket subscribes to a channel and :meth:`unsubscribe` when the last one leaves.
    """

    on_reconnect: Callable[[], None] | None = None
    """Called by a broker that re-established its connection (metrics count these)."""

    @property
    def connected(self) -> bool:
        """Whether the broker can carry messages now (readiness asks)."""
        return True

    @abc.abstractmethod
    async def start(self, deliver: Deliver) -> None:
        """Start receiving messages; pass each one to ``deliver``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop receiving messages and release every resource."""

    @abc.abstractmethod
    async def subscribe(self, channel: str) -> None:
        """Receive the messages published on ``channel`` from now on."""

    @abc.abstractmethod
    async def unsubscribe(self, channel: str) -> None:
        """Stop receiving messages published on ``channel``."""

    @abc.abstractmethod
    async def publish(self, channel: str, event: str, frame: str) -> None:
        """Send ``frame`` (the encoded subscriber message) to every subscriber of ``channel``.

        Raises :class:`~openapi.ws.CannotPublish` when the message cannot be sent.
        """

    def info(self) -> dict[str, Any]:
        """A JSON-ready description of the broker, shown by ``server_info()``."""
        return {"name": type(self).__name__}
