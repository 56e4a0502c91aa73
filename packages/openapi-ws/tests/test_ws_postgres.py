"""PostgresBroker in one process: LISTEN/NOTIFY, large payloads, reconnection."""

from __future__ import annotations

import asyncio
import uuid
from types import ModuleType
from typing import Any

import aiohttp
import asyncpg
import pytest
from openapi.ws import PostgresBroker, Sockets


@pytest.fixture
def app_name() -> str:
    return f"ws-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def client(aiohttp_client: Any, ws_app: ModuleType, pg_dsn: str, app_name: str) -> Any:
    # a SQLAlchemy URL, as DATASTORE usually is
    dsn = pg_dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    broker = PostgresBroker(dsn, application_name=app_name, min_backoff=0.05, max_backoff=0.5)
    return await aiohttp_client(ws_app.create_app(broker))


@pytest.fixture
async def connect(client: Any, ws_connect: Any) -> Any:
    async def new() -> Any:
        return await ws_connect(client.make_url("/stream"))

    return new


class Counts:
    """A SocketsObserver counting what it is told."""

    def __init__(self) -> None:
        self.told: dict[str, int] = {}

    def _add(self, name: str, n: int = 1) -> None:
        self.told[name] = self.told.get(name, 0) + n

    def ws_connected(self) -> None:
        self._add("connected")

    def ws_disconnected(self) -> None:
        self._add("disconnected")

    def ws_subscriptions_changed(self, delta: int) -> None:
        self._add("subscriptions", delta)

    def ws_message_received(self) -> None:
        self._add("received")

    def ws_message_sent(self, count: int) -> None:
        self._add("sent", count)

    def ws_broker_reconnected(self) -> None:
        self._add("reconnects")


def broker_of(client: Any) -> PostgresBroker:
    sockets: Sockets = client.app["web_sockets"]
    assert isinstance(sockets.broker, PostgresBroker)
    return sockets.broker


async def test_publish_and_receive_through_postgres(client: Any, connect: Any) -> None:
    subscriber = await connect()
    publisher = await connect()
    await subscriber.result("subscribe", {"channel": "tasks", "event": "task.*"})
    await publisher.result("publish", {"channel": "tasks", "event": "other", "data": 0})
    await publisher.result("publish", {"channel": "tasks", "event": "task.new", "data": {"id": 1}})
    assert await subscriber.event() == {
        "channel": "tasks",
        "event": "task.new",
        "data": {"id": 1},
    }
    info = await subscriber.result("server_info")
    assert info["broker"] == {
        "name": "PostgresBroker",
        "connected": True,
        "channels": 1,
        "reconnects": 0,
    }


async def test_payloads_over_the_notify_limit(client: Any, connect: Any) -> None:
    ws = await connect()
    await ws.result("subscribe", {"channel": "big"})
    # multi-byte characters straddle the chunk boundaries
    data = {"text": "é€😀a" * 20_000, "list": list(range(3000))}
    await ws.result("publish", {"channel": "big", "event": "e", "data": data})
    await ws.result("publish", {"channel": "big", "event": "small", "data": 1})
    assert await ws.event() == {"channel": "big", "event": "e", "data": data}
    assert await ws.event() == {"channel": "big", "event": "small", "data": 1}


async def test_long_channel_names(client: Any, connect: Any) -> None:
    ws = await connect()
    long_a = "a" * 150
    long_b = "a" * 149 + "b"
    await ws.result("subscribe", {"channel": long_a})
    await ws.result("publish", {"channel": long_b, "event": "e", "data": "b"})
    await ws.result("publish", {"channel": long_a, "event": "e", "data": "a"})
    assert await ws.event() == {"channel": long_a, "event": "e", "data": "a"}
    broker = broker_of(client)
    assert len(broker.pg_channel(long_a).encode()) <= 63
    assert broker.pg_channel(long_a) != broker.pg_channel(long_b)


async def test_channel_names_that_need_quoting(client: Any, connect: Any) -> None:
    ws = await connect()
    names = ["Tasks", "tasks", 'a"b', "ünïcødé", "with space", "semi;colon", "é" * 40]
    for name in names:
        await ws.result("subscribe", {"channel": name})
    for name in names:
        await ws.result("publish", {"channel": name, "event": "e", "data": name})
    assert [(await ws.event())["channel"] for _ in names] == names


async def test_server_side_names_postgres_cannot_take(client: Any, connect: Any) -> None:
    # clients cannot send such names (refused by the subscribe schema), application
    # code can: the broker hashes them instead of failing to LISTEN
    ws = await connect()
    await ws.result("subscribe", {"channel": "fine"})
    sockets: Sockets = client.app["web_sockets"]
    connection = next(iter(sockets.connections))
    odd = "nul\x00name"
    await sockets.subscribe(connection, odd, "*")
    await sockets.publish(odd, "e", 1)
    await sockets.publish("fine", "e", 2)
    assert await ws.event() == {"channel": odd, "event": "e", "data": 1}
    assert await ws.event() == {"channel": "fine", "event": "e", "data": 2}
    assert broker_of(client).pg_channel(odd).startswith("ws:#")
    assert broker_of(client).connected


async def test_foreign_notifications_are_ignored(client: Any, connect: Any, pg_dsn: str) -> None:
    ws = await connect()
    await ws.result("subscribe", {"channel": "c"})
    pg_channel = broker_of(client).pg_channel("c")
    connection = await asyncpg.connect(pg_dsn)
    try:
        for garbage in (
            "",
            "garbage",
            "m{",
            "mnot json\n{}",
            "m[1, 2]\n{}",
            "cx:0:2:half",
            "c:9:1:",
        ):
            await connection.execute("SELECT pg_notify($1, $2)", pg_channel, garbage)
    finally:
        await connection.close()
    await ws.result("publish", {"channel": "c", "event": "e", "data": "fine"})
    assert await ws.event() == {"channel": "c", "event": "e", "data": "fine"}


async def test_reconnects_after_pg_terminate_backend(
    client: Any, connect: Any, pg_dsn: str, app_name: str
) -> None:
    counts = Counts()
    client.app["web_sockets"].observe([counts])
    subscriber = await connect()
    publisher = await connect()
    await subscriber.result("subscribe", {"channel": "alive"})
    await publisher.result("publish", {"channel": "alive", "event": "before", "data": 0})
    assert (await subscriber.event())["event"] == "before"
    assert counts.told == {"connected": 2, "subscriptions": 1, "received": 2, "sent": 3}

    admin = await asyncpg.connect(pg_dsn)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1",
            app_name,
        )
    finally:
        await admin.close()
    assert killed >= 2  # the listening connection and the publishing one

    # NOTIFY is not durable: publish until a message gets through again
    received = None
    for attempt in range(200):
        answer = await publisher.rpc(
            "publish", {"channel": "alive", "event": "after", "data": attempt}
        )
        if "error" in answer:
            assert answer["error"]["message"] == "Message broker unavailable"
        try:
            msg = await subscriber.ws.receive(timeout=0.2)
        except TimeoutError:
            continue
        assert msg.type == aiohttp.WSMsgType.TEXT
        received = msg.json()
        break
    assert received is not None and received["event"] == "after"
    broker = broker_of(client)
    assert broker.reconnects >= 1
    assert counts.told["reconnects"] == broker.reconnects  # metrics hear of each one
    assert broker.connected
    # and new subscriptions work on the new connection
    await subscriber.result("subscribe", {"channel": "later"})
    await publisher.result("publish", {"channel": "later", "event": "e", "data": 1})
    event = await subscriber.event()
    while event["channel"] != "later":  # late copies of "alive" messages
        event = await subscriber.event()
    assert event == {"channel": "later", "event": "e", "data": 1}


async def test_publish_while_postgres_unreachable_is_a_clear_error(
    aiohttp_client: Any, ws_app: ModuleType, ws_connect: Any, unused_tcp_port: int
) -> None:
    # nothing listens on this port
    dsn = f"postgresql://postgres@127.0.0.1:{unused_tcp_port}/postgres"
    broker = PostgresBroker(dsn, connect_timeout=0.5, min_backoff=0.05, max_backoff=0.1)
    client = await aiohttp_client(ws_app.create_app(broker))
    ws = await ws_connect(client.make_url("/stream"))
    assert await ws.result("subscribe", {"channel": "c"}) == {"subscribed": {"c": ["*"]}}
    answer = await ws.rpc("publish", {"channel": "c", "event": "e", "data": 1})
    assert answer["error"] == {"message": "Message broker unavailable", "errors": []}
    info = await ws.result("server_info")
    assert info["broker"]["connected"] is False


async def test_dsn_from_datastore(
    aiohttp_client: Any,
    ws_app: ModuleType,
    ws_connect: Any,
    pg_dsn: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATASTORE", pg_dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    client = await aiohttp_client(ws_app.create_app(PostgresBroker()))
    ws = await ws_connect(client.make_url("/stream"))
    await ws.result("subscribe", {"channel": "env"})
    await ws.result("publish", {"channel": "env", "event": "e", "data": 1})
    assert await ws.event() == {"channel": "env", "event": "e", "data": 1}
    assert broker_of(client).dsn == pg_dsn


async def test_recovers_when_postgres_comes_back(
    aiohttp_client: Any, ws_app: ModuleType, ws_connect: Any, own_postgres: Any
) -> None:
    broker = PostgresBroker(
        own_postgres.url, connect_timeout=1.0, min_backoff=0.05, max_backoff=0.2
    )
    client = await aiohttp_client(ws_app.create_app(broker))
    ws = await ws_connect(client.make_url("/stream"))
    await ws.result("subscribe", {"channel": "c"})
    await ws.result("publish", {"channel": "c", "event": "e", "data": "before"})
    assert (await ws.event())["data"] == "before"

    await asyncio.to_thread(own_postgres.stop)
    answer = await ws.rpc("publish", {"channel": "c", "event": "e", "data": "during"})
    assert answer["error"] == {"message": "Message broker unavailable", "errors": []}
    # subscriptions made during the outage are kept for when it returns
    await ws.result("subscribe", {"channel": "d"})
    for _ in range(500):
        if not broker.connected:
            break
        await asyncio.sleep(0.01)
    assert not broker.connected
    assert (await ws.result("server_info"))["broker"]["connected"] is False

    await asyncio.to_thread(own_postgres.start)
    # publishing may work again before the broker listens again: NOTIFY is not durable,
    # so publish until a message comes back
    for attempt in range(300):
        answer = await ws.rpc("publish", {"channel": "d", "event": "e", "data": attempt})
        if "error" in answer:
            assert answer["error"]["message"] == "Message broker unavailable"
            await asyncio.sleep(0.05)
            continue
        if not ws.events:  # the message may come before or after the answer
            try:
                msg = await ws.ws.receive(timeout=0.2)
            except TimeoutError:
                continue
            ws.events.append(msg.json())
        assert ws.events[0]["channel"] == "d"
        break
    else:
        raise AssertionError("no message after PostgreSQL came back")
    assert broker.connected
    assert broker.reconnects >= 1
