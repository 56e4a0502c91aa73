"""The ``subscribe``, ``unsubscribe`` and ``publish`` RPC methods, as mixins of WsPath."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .connection import Connection
from .errors import RpcError
from .patterns import ANY_EVENT
from .rpc import ws_rpc

MAX_NAME_LENGTH = 200


@dataclass
class SubscribeSchema:
    """Subscribe to (or unsubscribe from) the events of a channel."""

    channel: str
    event: str = ANY_EVENT
    """Event name or pattern, ``*`` matching any characters; every event by default."""


@dataclass
class UnsubscribeSchema:
    """Unsubscribe from a channel: one event pattern, or every pattern when omitted."""

    channel: str
    event: str | None = None


@dataclass
class SubscribedSchema:
    """The subscriptions of the socket after ``subscribe`` or ``unsubscribe``."""

    subscribed: dict[str, list[str]]
    """Event patterns by channel."""


@dataclass
class PublishSchema:
    """Publish ``data`` as ``event`` on ``channel``."""

    channel: str
    event: str = ""
    data: Any = None


def _check_names(payload: dict[str, Any]) -> None:
    errors = []
    for field in ("channel", "event"):
        value = payload.get(field)
        if field == "channel" and not value:
            errors.append({"field": field, "message": "must not be empty"})
        elif isinstance(value, str) and "\x00" in value:  # PostgreSQL's LISTEN broke on NUL
            errors.append({"field": field, "message": "must not contain NUL characters"})
        elif isinstance(value, str) and len(value) > MAX_NAME_LENGTH:
            errors.append({"field": field, "message": f"at most {MAX_NAME_LENGTH} characters"})
    if errors:
        raise RpcError("Invalid payload", errors)


class Subscribe:
    """Mixin of :class:`WsPath` adding the ``subscribe`` and ``unsubscribe`` methods.

    Both answer ``{"subscribed": {channel: [event patterns]}}``, every subscription of
    the socket. Subscribers then receive ``{"channel", "event", "data"}`` once per
    published message, however many of their patterns match it.
    """

    connection: Connection

    @ws_rpc(body_schema=SubscribeSchema, response_schema=SubscribedSchema)
    async def ws_rpc_subscribe(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Subscribe to the events of a channel matching an event pattern."""
        _check_names(payload)
        connection = self.connection
        await connection.sockets.subscribe(
            connection, payload["channel"], payload.get("event", ANY_EVENT)
        )
        return {"subscribed": _subscribed(connection)}

    @ws_rpc(body_schema=UnsubscribeSchema, response_schema=SubscribedSchema)
    async def ws_rpc_unsubscribe(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Unsubscribe from one event pattern of a channel, or from the whole channel."""
        _check_names(payload)
        connection = self.connection
        await connection.sockets.unsubscribe(connection, payload["channel"], payload.get("event"))
        return {"subscribed": _subscribed(connection)}


class Publish:
    """Mixin of :class:`WsPath` adding the ``publish`` method.

    Answers ``{"channel", "event", "data"}`` once the broker has taken the message.
    """

    connection: Connection

    def get_publish_message(self, data: Any) -> Any:
        """The data actually published for the client's ``data``; override to shape it."""
        return data

    @ws_rpc(body_schema=PublishSchema, response_schema=PublishSchema)
    async def ws_rpc_publish(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Publish an event on a channel."""
        _check_names(payload)
        channel: str = payload["channel"]
        event: str = payload.get("event", "")
        data = self.get_publish_message(payload.get("data"))
        await self.connection.sockets.publish(channel, event, data)
        return {"channel": channel, "event": event, "data": data}


def _subscribed(connection: Connection) -> dict[str, list[str]]:
    return {
        channel: sorted(patterns) for channel, patterns in sorted(connection.subscriptions.items())
    }
