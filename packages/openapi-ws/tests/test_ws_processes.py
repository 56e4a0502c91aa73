"""Two server processes sharing one PostgreSQL: pub/sub spans processes."""

from __future__ import annotations

from typing import Any

import asyncpg


async def test_message_crosses_processes(server_processes: Any, ws_connect: Any) -> None:
    first = await server_processes()
    second = await server_processes()
    subscriber = await ws_connect(first.url)
    other_subscriber = await ws_connect(second.url)
    publisher = await ws_connect(second.url)
    assert await subscriber.result("subscribe", {"channel": "tasks", "event": "task.*"}) == {
        "subscribed": {"tasks": ["task.*"]}
    }
    await other_subscriber.result("subscribe", {"channel": "tasks"})

    answer = await publisher.result(
        "publish", {"channel": "tasks", "event": "task.created", "data": {"id": 1}}
    )
    assert answer == {"channel": "tasks", "event": "task.created", "data": {"id": 1}}
    expected = {"channel": "tasks", "event": "task.created", "data": {"id": 1}}
    assert await subscriber.event() == expected
    assert await other_subscriber.event() == expected

    # server-side publish in the first process reaches the second one
    await subscriber.result("notify", {"channel": "tasks", "event": "done", "data": 2})
    assert await other_subscriber.event() == {"channel": "tasks", "event": "done", "data": 2}

    # a large message crosses too
    big = "x" * 30_000
    await publisher.result("publish", {"channel": "tasks", "event": "task.big", "data": big})
    assert (await subscriber.event())["data"] == big

    first_info = await subscriber.result("server_info")
    assert first_info["connections"] == 1
    assert first_info["channels"] == {"tasks": {"task.*": 1}}
    second_info = await publisher.result("server_info")
    assert second_info["connections"] == 2


async def test_processes_recover_after_broker_connections_are_killed(
    server_processes: Any, ws_connect: Any, pg_dsn: str
) -> None:
    first = await server_processes()
    second = await server_processes()
    subscriber = await ws_connect(first.url)
    publisher = await ws_connect(second.url)
    await subscriber.result("subscribe", {"channel": "c"})
    admin = await asyncpg.connect(pg_dsn)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            server_processes.application_name,
        )
    finally:
        await admin.close()
    for attempt in range(200):
        await publisher.rpc("publish", {"channel": "c", "event": "e", "data": attempt})
        try:
            msg = await subscriber.ws.receive(timeout=0.2)
        except TimeoutError:
            continue
        assert msg.json()["channel"] == "c"
        break
    else:
        raise AssertionError("no message after the broker connections were killed")
    info = await subscriber.result("server_info")
    assert info["broker"]["reconnects"] >= 1
