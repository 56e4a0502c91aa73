"""Websocket RPC and pub/sub across processes for aiohttp.

``app["web_sockets"] = Sockets(app, broker=None)`` manages the connected sockets;
``class Stream(WsPath, Subscribe, Publish)`` is a websocket endpoint with the
``subscribe``, ``unsubscribe`` and ``publish`` RPC methods; :class:`PostgresBroker`
carries messages between server processes over PostgreSQL LISTEN/NOTIFY;
``GET /asyncapi`` documents the websocket API as an AsyncAPI 3.0 document.
"""

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
