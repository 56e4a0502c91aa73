"""Connections go to waiting requests in arrival order: no newcomer barges ahead."""

import asyncio

import pytest
from openapi.db import CrudDB, DatabaseUnavailable
from openapi.db.fifo_gate import FifoGate


async def test_gate_serves_waiters_in_order_and_newcomers_queue() -> None:
    gate = FifoGate(1)
    assert gate.try_take()
    order: list[str] = []

    async def user(name: str) -> None:
        await gate.take()
        order.append(name)
        await asyncio.sleep(0)
        gate.release()

    first = asyncio.create_task(user("first"))
    second = asyncio.create_task(user("second"))
    await asyncio.sleep(0)
    assert gate.waiting == 2
    gate.release()  # handed to "first", which has not run yet
    assert not gate.try_take()  # a newcomer cannot take it meanwhile
    late = asyncio.create_task(user("late"))
    await asyncio.gather(first, second, late)
    assert order == ["first", "second", "late"]
    assert gate.try_take() and not gate.try_take()


async def test_gate_slot_survives_a_waiter_giving_up() -> None:
    gate = FifoGate(1)
    assert gate.try_take()
    impatient = asyncio.create_task(asyncio.wait_for(gate.take(), 0.01))
    patient = asyncio.create_task(gate.take())
    with pytest.raises(TimeoutError):
        await impatient
    gate.release()
    await asyncio.wait_for(patient, 5)  # the slot went past the one that gave up
    gate.release()
    assert gate.try_take()


async def test_database_hands_connections_in_arrival_order(pg_url: str) -> None:
    db = CrudDB(pg_url, min_size=1, max_size=1, acquire_timeout=5)
    try:
        order: list[int] = []

        async def query(n: int) -> None:
            async with db.connection() as conn:
                order.append(n)
                await conn.fetchval("SELECT 1")

        async with db.connection() as held:
            tasks = []
            for n in range(5):
                tasks.append(asyncio.create_task(query(n)))
                await asyncio.sleep(0.01)  # arrive one after the other
            await held.fetchval("SELECT 1")
        await asyncio.gather(*tasks)
        assert order == [0, 1, 2, 3, 4]
        # a timed-out waiter gives its place back: the pool still serves
        async with db.connection():
            with pytest.raises(DatabaseUnavailable):
                db.acquire_timeout = 0.05
                async with db.connection():
                    pass
        db.acquire_timeout = 5
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT 2") == 2
    finally:
        await db.close()


async def test_gate_forgets_waiters_that_gave_up() -> None:
    gate = FifoGate(1)
    assert gate.try_take()
    gave_up = asyncio.create_task(gate.take())
    await asyncio.sleep(0)
    assert gate.waiting == 1
    gave_up.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gave_up
    assert gate.waiting == 0
    gate.release()
    assert gate.try_take()  # the fast path is open again: nobody is queued


async def test_gate_times_out_waiters_in_order_with_one_timer() -> None:
    gate = FifoGate(1)
    assert gate.try_take()
    loop = asyncio.get_running_loop()
    start = loop.time()
    short = [asyncio.create_task(gate.take(0.05)) for _ in range(3)]
    long = asyncio.create_task(gate.take(5))
    never = asyncio.create_task(gate.take())
    await asyncio.sleep(0)
    assert gate.waiting == 5
    for task in short:
        with pytest.raises(TimeoutError):
            await task
    assert 0.04 <= loop.time() - start < 2
    assert gate.waiting == 2  # the timed-out waiters left the queue
    gate.release()  # the slot skips the ones that gave up
    await asyncio.wait_for(long, 1)
    assert not never.done()
    gate.release()
    await asyncio.wait_for(never, 1)
    gate.release()
    assert gate.try_take()
