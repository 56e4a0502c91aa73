"""Websocket RPC and pub/sub across processes for aiohttp.

``app["web_sockets"] = Sockets(app, broker=None)`` manages the connected sockets;
``class Stream(WsPath, Subscribe, Publish)`` is a websocket endpoint with the
``subscribe``, ``unsubscribe`` and ``publish`` RPC methods; :class:`PostgresBroker`
carries messages between server processes over PostgreSQL LISTEN/NOTIFY.
"""

from .broker import Broker, Deliver
from .channels import Channel, Channels
from .connection import Connection
from .errors import BrokerUnavailable, CannotPublish, RpcError
from .handshake import Authenticate, HandshakeNotProtected, Requirement
from .local import LocalBroker
from .path import WsPath
from .patterns import EventPattern
from .postgres import PostgresBroker
from .pubsub import Publish, PublishSchema, Subscribe, SubscribeSchema, UnsubscribeSchema
from .rpc import RpcMethod, ws_rpc
from .sockets import Sockets

__version__ = "0.1.0"

__all__ = [
    "Authenticate",
    "HandshakeNotProtected",
    "Requirement",
    "Broker",
    "BrokerUnavailable",
    "CannotPublish",
    "Channel",
    "Channels",
    "Connection",
    "Deliver",
    "EventPattern",
    "LocalBroker",
    "PostgresBroker",
    "Publish",
    "PublishSchema",
    "RpcError",
    "RpcMethod",
    "Sockets",
    "Subscribe",
    "SubscribeSchema",
    "UnsubscribeSchema",
    "WsPath",
    "__version__",
    "ws_rpc",
]
