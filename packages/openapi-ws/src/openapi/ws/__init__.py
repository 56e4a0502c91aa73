"""Websocket RPC and pub/sub across processes for aiohttp.

``app["web_sockets"] = Sockets(app, broker=None)`` manages the connected sockets;
``class Stream(WsPath, Subscribe, Publish)`` is a websocket endpoint with the
``subscribe``, ``unsubscribe`` and ``publish`` RPC methods; :class:`PostgresBroker`
carries messages between server processes over PostgreSQL LISTEN/NOTIFY;
``GET /asyncapi`` documents the websocket API as an AsyncAPI 3.0 document.

The public names load on first use (PEP 562): ``openapi-cli --help`` finds the
``asyncapi`` command here without importing aiohttp or asyncpg.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .asyncapi import AsyncApiError, AsyncApiRenderer
    from .asyncapi_http import AsyncApiRoutes
    from .broker import Broker, Deliver
    from .channels import Channel, Channels
    from .connection import Connection
    from .errors import BrokerUnavailable, CannotPublish, RpcError
    from .handshake import Authenticate, HandshakeNotProtected, Requirement
    from .local import LocalBroker
    from .observers import RpcTracer, SocketsObserver
    from .path import WsPath
    from .patterns import EventPattern
    from .postgres import PostgresBroker
    from .pubsub import (
        Publish,
        PublishSchema,
        Subscribe,
        SubscribedSchema,
        SubscribeSchema,
        UnsubscribeSchema,
    )
    from .pubsub_channels import ChannelDeclarationError, ChannelEvent, PubSubChannel
    from .rpc import RpcEndpoint, RpcMethod, ws_rpc
    from .sockets import Sockets

__version__ = "0.1.0"

__all__ = [
    "AsyncApiError",
    "AsyncApiRenderer",
    "AsyncApiRoutes",
    "Authenticate",
    "HandshakeNotProtected",
    "Requirement",
    "Broker",
    "BrokerUnavailable",
    "CannotPublish",
    "Channel",
    "ChannelDeclarationError",
    "ChannelEvent",
    "Channels",
    "Connection",
    "Deliver",
    "EventPattern",
    "LocalBroker",
    "PostgresBroker",
    "PubSubChannel",
    "Publish",
    "PublishSchema",
    "RpcEndpoint",
    "RpcError",
    "RpcMethod",
    "RpcTracer",
    "Sockets",
    "SocketsObserver",
    "Subscribe",
    "SubscribeSchema",
    "SubscribedSchema",
    "UnsubscribeSchema",
    "WsPath",
    "__version__",
    "ws_rpc",
]

#: each public name and the module defining it
_DEFINED_IN = {
    "AsyncApiError": ".asyncapi",
    "AsyncApiRenderer": ".asyncapi",
    "AsyncApiRoutes": ".asyncapi_http",
    "Broker": ".broker",
    "Deliver": ".broker",
    "Channel": ".channels",
    "Channels": ".channels",
    "Connection": ".connection",
    "BrokerUnavailable": ".errors",
    "CannotPublish": ".errors",
    "RpcError": ".errors",
    "Authenticate": ".handshake",
    "HandshakeNotProtected": ".handshake",
    "Requirement": ".handshake",
    "LocalBroker": ".local",
    "RpcTracer": ".observers",
    "SocketsObserver": ".observers",
    "WsPath": ".path",
    "EventPattern": ".patterns",
    "PostgresBroker": ".postgres",
    "Publish": ".pubsub",
    "PublishSchema": ".pubsub",
    "Subscribe": ".pubsub",
    "SubscribedSchema": ".pubsub",
    "SubscribeSchema": ".pubsub",
    "UnsubscribeSchema": ".pubsub",
    "ChannelDeclarationError": ".pubsub_channels",
    "ChannelEvent": ".pubsub_channels",
    "PubSubChannel": ".pubsub_channels",
    "RpcEndpoint": ".rpc",
    "RpcMethod": ".rpc",
    "ws_rpc": ".rpc",
    "Sockets": ".sockets",
}


def __getattr__(name: str) -> Any:
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
