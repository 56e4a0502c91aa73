"""The manager of the websockets connected to an application."""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from aiohttp import WSCloseCode, web
from openapi.data.json import dumps, loads

from .asyncapi import AsyncApiRenderer
from .asyncapi_http import AsyncApiRoutes
from .broker import Broker
from .channels import Channels
from .connection import Connection
from .errors import BrokerUnavailable, CannotPublish, RpcError
from .frames import text_frame
from .handshake import Authenticate, HandshakeNotProtected
from .local import LocalBroker
from .observers import OBSERVERS, READY_CHECKS, RpcTracer, SocketsObserver
from .patterns import ANY_EVENT, EventPattern
from .pubsub_channels import PubSubChannel, channel_table

logger = logging.getLogger("openapi.ws")

SOCKETS_KEY = "web_sockets"
#: the span of an RPC call when nothing traces them (reusable: nullcontext is reentrant)
_UNTRACED: AbstractContextManager[object] = nullcontext()


class Sockets:
    """Connected websockets, their channel subscriptions and the message broker.

    ``app["web_sockets"] = Sockets(app)`` (the constructor stores itself there too).
    The broker (:class:`LocalBroker` when ``broker`` is None) starts with the
    application; on shutdown every socket is closed with code 1001 and the broker stops.

    :param max_message_size: largest text frame accepted from a client, in bytes;
        a larger one closes the connection with code 1009 (message too big).
    :param heartbeat: seconds between pings; a client not answering is dropped.
    :param max_send_buffer: bytes waiting to be sent to one client before it is
        considered too slow and closed with code 1013.
    :param max_subscriptions: event patterns one socket may subscribe to.
    :param authenticate: checks websocket handshakes against a view's ``security``
        (see :mod:`openapi.ws.handshake`); openapi.spec's ``setup`` fills it on startup
        with the application's security schemes when it is None.
    :param channels: the declared pub/sub channels (:class:`PubSubChannel`), for the
        AsyncAPI document; :meth:`declare` adds more before the application starts.
    :param asyncapi_path: where ``GET`` serves the AsyncAPI 3.0 document of the websocket
        endpoints (None: not served); ``asyncapi_docs_path`` its docs page (None: none).
    :param asyncapi_info: AsyncAPI Info fields (title, version, description...); by
        default those of the application's OpenAPI document.
    """

    def __init__(
        self,
        app: web.Application,
        broker: Broker | None = None,
        *,
        max_message_size: int = 1024 * 1024,
        heartbeat: float | None = 30.0,
        max_send_buffer: int = 4 * 1024 * 1024,
        max_subscriptions: int = 256,
        close_timeout: float = 5.0,
        authenticate: Authenticate | None = None,
        channels: Iterable[PubSubChannel] = (),
        asyncapi_path: str | None = "/asyncapi",
        asyncapi_docs_path: str | None = "/asyncapi/docs",
        asyncapi_info: Mapping[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.broker: Broker = broker if broker is not None else LocalBroker()
        self.max_message_size = max_message_size
        self.heartbeat = heartbeat
        self.max_send_buffer = max_send_buffer
        self.max_subscriptions = max_subscriptions
        self.close_timeout = close_timeout
        self.authenticate = authenticate
        """The handshake hook; None: handshakes are not authenticated."""
        self.connections: set[Connection] = set()
        """Sockets connected to this process."""
        self.channels = Channels()
        """Channels with at least one local subscriber."""
        self.listeners: dict[str, set[tuple[EventPattern, asyncio.Queue[str]]]] = {}
        """In-process listeners (:meth:`listen`) by channel, each a pattern and a queue."""
        self._broker_channels: set[str] = set()
        self._broker_lock = asyncio.Lock()
        self._started = False
        self._dirty: list[Connection] = []
        self.observers: tuple[SocketsObserver, ...] = ()
        """Told of connections, subscriptions and messages (metrics), attached on startup."""
        self._rpc_tracer: RpcTracer | None = None
        self.pubsub_channels: dict[str, PubSubChannel] = channel_table(channels)
        """The declared pub/sub channels, by name."""
        self.asyncapi = AsyncApiRenderer(app, self.pubsub_channels, info=asyncapi_info)
        """The AsyncAPI document of the application's websocket endpoints."""
        if asyncapi_path is not None:
            AsyncApiRoutes(self.asyncapi, asyncapi_path, asyncapi_docs_path).install(app)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        with warnings.catch_warnings():
            # the documented keys are plain strings, as in the seed
            warnings.simplefilter("ignore")
            app[SOCKETS_KEY] = self
            app.setdefault(READY_CHECKS, {})["websocket broker"] = self.ping

    # -- lifecycle

    async def start(self) -> None:
        """Start the broker (called on application startup)."""
        if not self._started:
            self._started = True
            await self.broker.start(self._deliver)

    async def close(self) -> None:
        """Close every socket (code 1001) and stop the broker (called on shutdown)."""
        await self.close_sockets()
        if self._started:
            self._started = False
            await self.broker.close()
        self._broker_channels.clear()

    async def close_sockets(self) -> None:
        """Close every connected socket with code 1001 (going away)."""
        connections = tuple(self.connections)
        await asyncio.gather(
            *(c.close(WSCloseCode.GOING_AWAY, "Server shutdown") for c in connections),
            return_exceptions=True,
        )
        self.connections.clear()
        self.channels.clear()

    def declare(self, *channels: PubSubChannel) -> None:
        """Declare pub/sub channels (before the application starts)."""
        table = channel_table((*self.pubsub_channels.values(), *channels))
        self.pubsub_channels.update(table)

    async def _on_startup(self, app: web.Application) -> None:
        self._check_protection(app)
        self.observe(app.get(OBSERVERS) or ())
        # a declaration the document cannot describe stops the application here
        self.asyncapi.document()
        await self.start()

    def _check_protection(self, app: web.Application) -> None:
        # a requirement nothing enforces would be a silent hole: refuse to start
        if self.authenticate is not None:
            return
        for route in app.router.routes():
            view = route.handler
            declared = getattr(view, "security", None)
            if hasattr(view, "rpc_methods") and declared:
                raise HandshakeNotProtected(
                    f"{getattr(view, '__name__', view)} declares security {declared!r} "
                    f"but nothing authenticates its handshakes: give Sockets(authenticate=...) "
                    f"or set up openapi.spec with the security schemes first"
                )

    # -- observers

    def observe(self, observers: Iterable[object]) -> None:
        """Report to those of ``observers`` that are a :class:`SocketsObserver` (counts) or
        an :class:`RpcTracer` (a span per RPC call)."""
        observers = list(observers)
        self.observers = tuple(o for o in observers if isinstance(o, SocketsObserver))
        tracers = [o for o in observers if isinstance(o, RpcTracer)]
        self._rpc_tracer = tracers[-1] if tracers else None
        if self.observers:
            self.broker.on_reconnect = self._broker_reconnected

    def _broker_reconnected(self) -> None:
        for observer in self.observers:
            observer.ws_broker_reconnected()

    def rpc_span(self, method: str) -> AbstractContextManager[object]:
        """The span of one RPC call (nothing when calls are not traced)."""
        tracer = self._rpc_tracer
        return _UNTRACED if tracer is None else tracer.ws_rpc(method)

    async def ping(self) -> None:
        """Return when the broker is connected; :class:`BrokerUnavailable` if not."""
        if not (self._started and self.broker.connected):
            raise BrokerUnavailable("the broker is not connected")

    async def _on_shutdown(self, app: web.Application) -> None:
        await self.close()

    # -- information

    @property
    def sockets(self) -> set[Connection]:
        """The connected sockets (the seed's name for :attr:`connections`)."""
        return self.connections

    def server_info(self) -> dict[str, Any]:
        """Connections, channels (subscribed sockets by event pattern) and broker."""
        return {
            "connections": len(self.connections),
            "channels": self.channels.info(),
            "broker": self.broker.info(),
        }

    # -- publish

    async def publish(self, channel: str, event: str, data: Any) -> None:
        """Publish ``data`` as ``event`` on ``channel`` to every subscriber of every process.

        ``data`` is anything :func:`openapi.data.json.dumps` encodes (dataclass
        instances included). Raises :class:`CannotPublish` when it cannot be encoded or
        the broker cannot send it.
        """
        try:
            frame = dumps({"channel": channel, "event": event, "data": data})
        except (TypeError, ValueError) as exc:
            raise CannotPublish(
                "Cannot publish", [{"field": "data", "message": f"not JSON serializable: {exc}"}]
            ) from None
        await self.broker.publish(channel, event, frame)

    def flush_soon(self, connection: Connection) -> None:
        """Write ``connection``'s frames at the end of this loop iteration."""
        if not self._dirty:
            asyncio.get_running_loop().call_soon(self._flush)
        self._dirty.append(connection)

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, []
        for connection in dirty:
            connection.flush()

    async def listen(
        self, channel: str, pattern: str = ANY_EVENT, *, max_queue: int = 1000
    ) -> AsyncIterator[tuple[str, Any]]:
        """The ``(event, data)`` published on ``channel`` from now on, events matching
        ``pattern``, for a consumer that is not a websocket (server-sent events).

        Subscribed as a socket is (the broker listens until the last listener leaves);
        close the iterator (``aclose()``) to stop. A consumer more than ``max_queue``
        messages behind misses the newest ones.
        """
        entry = (EventPattern(pattern), asyncio.Queue[str](max_queue))
        self.listeners.setdefault(channel, set()).add(entry)
        try:
            await self._sync_broker(channel)
            while True:
                message = loads(await entry[1].get())
                yield str(message["event"]), message["data"]
        finally:
            listeners = self.listeners.get(channel)
            if listeners is not None:
                listeners.discard(entry)
                if not listeners:
                    del self.listeners[channel]
            await self._sync_broker(channel)

    def _deliver(self, channel: str, event: str, frame: str) -> None:
        for matcher, queue in self.listeners.get(channel, ()):
            if matcher.match(event) and not queue.full():
                queue.put_nowait(frame)
        targets = self.channels.targets(channel, event)
        if targets:
            data = text_frame(frame.encode())
            for connection in targets:
                connection.send_frame(data)

    # -- connections

    def connect(
        self, request: web.Request, response: web.WebSocketResponse, principal: Any = None
    ) -> Connection:
        """Register a prepared websocket, opened by ``principal``."""
        transport = request.transport
        if transport is None:
            raise ConnectionResetError("the websocket has no transport")
        connection = Connection(self, response, transport, uuid.uuid4().hex, principal)
        self.connections.add(connection)
        for observer in self.observers:
            observer.ws_connected()
        return connection

    async def disconnect(self, connection: Connection) -> None:
        """Forget ``connection`` and its subscriptions."""
        if self.observers and connection in self.connections:
            for observer in self.observers:
                observer.ws_disconnected()
                observer.ws_subscriptions_changed(-connection.subscription_count)
        self.connections.discard(connection)
        subscriptions = connection.subscriptions
        connection.subscriptions = {}
        for channel, patterns in subscriptions.items():
            for pattern in patterns:
                self.channels.discard(channel, pattern, connection)
        for channel in subscriptions:
            await self._sync_broker(channel)

    # -- subscriptions

    async def subscribe(self, connection: Connection, channel: str, pattern: str) -> None:
        """Deliver to ``connection`` the events of ``channel`` matching ``pattern``.

        Returns once the broker listens to the channel, so a message published anywhere
        afterwards reaches the socket.
        """
        patterns = connection.subscriptions.get(channel)
        if patterns is not None and pattern in patterns:
            return
        if connection.subscription_count >= self.max_subscriptions:
            raise RpcError(
                "Too many subscriptions",
                [{"field": "channel", "message": f"at most {self.max_subscriptions} allowed"}],
            )
        connection.subscriptions.setdefault(channel, set()).add(pattern)
        self.channels.add(channel, pattern, connection)
        for observer in self.observers:
            observer.ws_subscriptions_changed(1)
        try:
            await self._sync_broker(channel)
        except Exception:
            logger.exception("broker failed to subscribe to %r", channel)
            self._forget(connection, channel, pattern)
            raise RpcError(
                "Cannot subscribe", [{"field": "channel", "message": "broker unavailable"}]
            ) from None

    async def unsubscribe(
        self, connection: Connection, channel: str, pattern: str | None = None
    ) -> None:
        """Stop delivering ``channel`` events matching ``pattern`` (every pattern when None)."""
        patterns = connection.subscriptions.get(channel)
        if not patterns:
            return
        for p in tuple(patterns) if pattern is None else (pattern,):
            self._forget(connection, channel, p)
        await self._sync_broker(channel)

    def _forget(self, connection: Connection, channel: str, pattern: str) -> None:
        patterns = connection.subscriptions.get(channel)
        if patterns is not None and pattern in patterns:
            patterns.remove(pattern)
            for observer in self.observers:
                observer.ws_subscriptions_changed(-1)
            if not patterns:
                del connection.subscriptions[channel]
        self.channels.discard(channel, pattern, connection)

    async def _sync_broker(self, channel: str) -> None:
        # one lock: a subscribe waiting here returns only once the broker listens
        async with self._broker_lock:
            wanted = channel in self.channels or channel in self.listeners
            listening = channel in self._broker_channels
            if wanted and not listening:
                await self.broker.subscribe(channel)
                self._broker_channels.add(channel)
            elif listening and not wanted:
                self._broker_channels.discard(channel)
                try:
                    await self.broker.unsubscribe(channel)
                except Exception:
                    logger.exception("broker failed to unsubscribe from %r", channel)
