"""A broker over PostgreSQL LISTEN/NOTIFY: messages reach every server process."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import random
import time
import uuid
from typing import Any

from openapi.data.json import dumps, loads

from .broker import Broker, Deliver
from .errors import BrokerUnavailable
from .notify_payload import CHUNK, NOTIFY_LIMIT, WHOLE, ChunkAssembler, encode_payloads

logger = logging.getLogger("openapi.ws.postgres")

_IDENTIFIER_LIMIT = 63
_NOTIFY_ONE = "SELECT pg_notify($1, $2)"
_NOTIFY_MANY = (
    "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n"
)


class PostgresBroker(Broker):
    """Publish/subscribe across server processes sharing one PostgreSQL database.

    Each process keeps one connection that ``LISTEN``s to the channels its sockets
    subscribe to, and publishes with ``pg_notify`` through a small pool. Messages larger
    than NOTIFY's 8000-byte limit are split into chunks sent in one transaction and
    joined by the listeners. When the listening connection drops (server restart,
    ``pg_terminate_backend``, network), the broker reconnects with exponential backoff
    and listens again to every channel; messages published while it is disconnected
    are lost, as NOTIFY is not durable.

    :param dsn: a ``postgresql://`` URL, SQLAlchemy URLs such as
        ``postgresql+asyncpg://`` accepted; when None, ``DATASTORE`` is read at startup.
    :param prefix: prepended to channel names to form PostgreSQL channel names.
    :param pool_size: connections used to publish.
    """

    def __init__(
        self,
        dsn: str | None = None,
        *,
        prefix: str = "ws:",
        pool_size: int = 4,
        connect_timeout: float = 5.0,
        min_backoff: float = 0.1,
        max_backoff: float = 5.0,
        keepalive: float = 15.0,
        application_name: str = "openapi-ws-broker",
        notify_limit: int = NOTIFY_LIMIT,
    ) -> None:
        if not prefix or len(prefix.encode()) > 24 or "\x00" in prefix:
            raise ValueError("prefix must have 1 to 24 bytes, no NUL")
        self.dsn = dsn
        self.prefix = prefix
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.keepalive = keepalive
        self.application_name = application_name
        self.notify_limit = notify_limit
        self.reconnects = 0
        """How many times the listening connection was re-established."""
        self._deliver: Deliver | None = None
        self._channels: dict[str, str] = {}
        self._listener: Any = None
        self._pool: Any = None
        self._lock = asyncio.Lock()
        self._connected = asyncio.Event()
        self._lost = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self._assembler = ChunkAssembler()
        self._ids = itertools.count()
        self._id_prefix = uuid.uuid4().hex[:12]

    # -- lifecycle

    async def start(self, deliver: Deliver) -> None:
        """Open the publishing pool and the listening connection.

        Waits for the first connection up to ``connect_timeout``; when PostgreSQL is not
        reachable the application starts anyway and the broker keeps trying.
        """
        import asyncpg

        self.dsn = _asyncpg_url(self.dsn or os.environ.get("DATASTORE", ""))
        self._deliver = deliver
        self._closing = False
        self._pool = asyncpg.create_pool(
            self.dsn,
            min_size=0,
            max_size=self.pool_size,
            timeout=self.connect_timeout,
            server_settings={"application_name": self.application_name},
        )
        await self._pool
        self._supervisor = asyncio.create_task(self._supervise(), name="openapi-ws-broker")
        try:
            await asyncio.wait_for(self._connected.wait(), self.connect_timeout)
        except TimeoutError:
            logger.warning("PostgreSQL broker not connected yet; it keeps trying")

    async def close(self) -> None:
        self._closing = True
        self._lost.set()  # wakes the supervisor watching the connection
        if self._supervisor is not None:
            supervisor, self._supervisor = self._supervisor, None
            supervisor.cancel()
            # asyncpg.connect may swallow a cancellation: the flag ends the loop anyway
            await asyncio.wait([supervisor], timeout=self.connect_timeout + self.max_backoff)
        await self._drop_listener()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), self.connect_timeout)
            except Exception:
                pool.terminate()
        self._deliver = None
        self._channels.clear()

    @property
    def connected(self) -> bool:
        """True while the listening connection is up."""
        return self._connected.is_set()

    def info(self) -> dict[str, Any]:
        return {
            "name": type(self).__name__,
            "connected": self.connected,
            "channels": len(self._channels),
            "reconnects": self.reconnects,
        }

    # -- channels

    def pg_channel(self, channel: str) -> str:
        """The PostgreSQL channel of ``channel``: prefixed, hashed when too long."""
        name = self.prefix + channel
        # names PostgreSQL cannot take as they are (NUL, unencodable, too long) are hashed
        if "\x00" not in name:
            try:
                if len(name.encode()) <= _IDENTIFIER_LIMIT:
                    return name
            except UnicodeEncodeError:
                pass
        digest = hashlib.blake2b(channel.encode("utf-8", "surrogatepass"), digest_size=16)
        return f"{self.prefix}#{digest.hexdigest()}"

    async def subscribe(self, channel: str) -> None:
        async with self._lock:
            if channel in self._channels:
                return
            pg_channel = self._channels[channel] = self.pg_channel(channel)
            await self._listen(pg_channel, listen=True)

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            pg_channel = self._channels.pop(channel, None)
            if pg_channel is None or pg_channel in self._channels.values():
                return
            await self._listen(pg_channel, listen=False)

    async def _listen(self, pg_channel: str, *, listen: bool) -> None:
        """LISTEN (or UNLISTEN) on the current connection, if any.

        A failure or a timeout drops the connection: the supervisor reconnects and
        listens again to every channel, so no subscription is silently lost.
        """
        connection = self._listener
        if connection is None:
            return  # the supervisor listens to every channel when it reconnects
        try:
            async with asyncio.timeout(self.connect_timeout):
                if listen:
                    await connection.add_listener(pg_channel, self._on_notification)
                else:
                    await connection.remove_listener(pg_channel, self._on_notification)
        except Exception as exc:
            if not _is_connection_error(exc) and not isinstance(exc, TimeoutError):
                logger.error("(UN)LISTEN %r refused: %s", pg_channel, exc)
                return
            logger.warning("(UN)LISTEN %r failed (%s); reconnecting", pg_channel, exc)
            connection.terminate()
            self._lost.set()

    # -- publish

    async def publish(self, channel: str, event: str, frame: str) -> None:
        if self._pool is None:
            raise BrokerUnavailable("Message broker not started")
        body = f"{dumps([channel, event])}\n{frame}"
        message_id = f"{self._id_prefix}{next(self._ids):x}"
        payloads = encode_payloads(body, message_id, self.notify_limit)
        pg_channel = self.pg_channel(channel)
        for attempt in (1, 2):
            try:
                async with self._pool.acquire(timeout=self.connect_timeout) as connection:
                    if len(payloads) == 1:
                        await connection.execute(_NOTIFY_ONE, pg_channel, payloads[0])
                    else:
                        await connection.execute(_NOTIFY_MANY, pg_channel, payloads)
                return
            except Exception as exc:
                # a pooled connection killed by the server fails once, then is replaced
                if attempt == 2 or not _is_connection_error(exc):
                    logger.warning("publish on %r failed: %s", channel, exc)
                    raise BrokerUnavailable() from None

    # -- receiving

    def _on_notification(self, connection: Any, pid: int, pg_channel: str, payload: str) -> None:
        try:
            if payload.startswith(WHOLE):
                body: str | None = payload[1:]
            elif payload.startswith(CHUNK):
                body = self._assembler.add(payload)
            else:
                raise ValueError("unknown payload kind")
            if body is None:
                return
            header, _, frame = body.partition("\n")
            channel, event = loads(header)
            if not isinstance(channel, str) or not isinstance(event, str):
                raise ValueError("bad header")
        except Exception as exc:
            # anyone may NOTIFY our channels: ignore what we did not write
            logger.warning("ignored malformed notification on %s: %s", pg_channel, exc)
            return
        if self._deliver is not None:
            self._deliver(channel, event, frame)

    # -- the listening connection

    async def _supervise(self) -> None:
        delay = self.min_backoff
        first = True
        while not self._closing:
            try:
                await self._connect_listener()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("PostgreSQL broker cannot connect (%s); retry in %.1fs", exc, delay)
                await self._backoff(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            if self._closing:
                break
            if not first:
                self.reconnects += 1
                if self.on_reconnect is not None:
                    self.on_reconnect()
                logger.info(
                    "PostgreSQL broker reconnected, listening to %d channels", len(self._channels)
                )
            first = False
            self._connected.set()
            connected_at = time.monotonic()
            await self._watch()
            self._connected.clear()
            if self._closing:
                break
            logger.warning("PostgreSQL broker lost its connection; reconnecting")
            await self._drop_listener()
            if time.monotonic() - connected_at > self.max_backoff:
                delay = self.min_backoff
            else:  # dropped again soon after connecting: keep backing off
                await self._backoff(delay)
                delay = min(delay * 2, self.max_backoff)

    async def _backoff(self, delay: float) -> None:
        # jitter: processes that lost PostgreSQL together do not reconnect together
        await asyncio.sleep(delay * (0.5 + random.random()))

    async def _connect_listener(self) -> None:
        import asyncpg

        connection = await asyncpg.connect(
            self.dsn,
            timeout=self.connect_timeout,
            server_settings={"application_name": self.application_name},
        )
        try:
            self._lost.clear()
            connection.add_termination_listener(self._on_termination)
            # chunks of a message cut by the reconnection never complete
            self._assembler.clear()
            async with self._lock, asyncio.timeout(self.connect_timeout):
                for pg_channel in set(self._channels.values()):
                    try:
                        await connection.add_listener(pg_channel, self._on_notification)
                    except asyncpg.PostgresError as exc:
                        # refused by the server: the other channels must still work
                        logger.error("LISTEN %r refused: %s", pg_channel, exc)
                self._listener = connection
            if connection.is_closed():  # dropped before the termination listener knew it
                self._lost.set()
        except BaseException:
            connection.terminate()
            raise

    def _on_termination(self, connection: Any) -> None:
        if connection is self._listener:
            self._lost.set()

    async def _watch(self) -> None:
        """Return when the listening connection is gone."""
        while True:
            try:
                await asyncio.wait_for(self._lost.wait(), self.keepalive)
                return
            except TimeoutError:
                pass
            # no traffic for a while: make sure the connection is still alive
            try:
                async with self._lock:
                    if self._listener is None:
                        return
                    await self._listener.execute("SELECT 1", timeout=self.connect_timeout)
            except asyncio.CancelledError:
                raise
            except Exception:
                return

    async def _drop_listener(self) -> None:
        async with self._lock:
            connection, self._listener = self._listener, None
        if connection is not None and not connection.is_closed():
            connection.terminate()


def _is_connection_error(exc: Exception) -> bool:
    import asyncpg

    return isinstance(
        exc,
        asyncpg.ConnectionDoesNotExistError
        | asyncpg.InterfaceError
        | asyncpg.PostgresConnectionError
        | asyncpg.AdminShutdownError
        | ConnectionError
        | OSError,
    )


def _asyncpg_url(url: str) -> str:
    """Accept SQLAlchemy URLs: ``postgresql+asyncpg://`` becomes ``postgresql://``."""
    if not url:
        raise RuntimeError("PostgresBroker needs a dsn or the DATASTORE environment variable")
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"
