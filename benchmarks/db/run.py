"""Per-query overhead of CrudDB against raw asyncpg and SQLAlchemy's async engine.

One PostgreSQL server (DATASTORE, else an embedded one started here), one table of
1,000 rows, a primary-key select run one query at a time through each contender.
Small batches interleave the contenders so that machine noise hits all of them
alike; the table shows the median batch. Run: ``hatch run bench:db``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import sqlalchemy as sa
from openapi.db import CrudDB
from openapi.db.dsn import asyncpg_dsn, sqlalchemy_url
from openapi.db.embedded import EmbeddedPostgres
from sqlalchemy.ext.asyncio import create_async_engine

metadata = sa.MetaData()
items = sa.Table(
    "bench_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)
ROWS = 1000
SQL = "SELECT bench_items.id, bench_items.name, bench_items.score, bench_items.active "
SQL += "FROM bench_items WHERE bench_items.id = $1"

Query = Callable[[int], Awaitable[object]]


async def time_queries(query: Query, n: int) -> tuple[float, float]:
    """Wall-clock and client CPU microseconds per query, ``n`` queries one by one."""
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        await query(i % ROWS + 1)
    wall = (time.perf_counter() - start) / n * 1e6
    return wall, (time.process_time() - cpu) / n * 1e6


async def main(url: str, n: int, rounds: int) -> None:
    db = CrudDB(url, metadata, min_size=1, max_size=1)
    await db.drop_all()
    await db.create_all()
    await db.db_insert(
        items,
        [{"name": f"item {i}", "score": i / 3, "active": i % 2 == 0} for i in range(ROWS)],
    )
    pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=1, max_size=1)
    engine = create_async_engine(sqlalchemy_url(url), pool_size=1, max_overflow=0)

    async def raw_asyncpg(pk: int) -> object:
        return await pool.fetch(SQL, pk)

    async def crud_db(pk: int) -> object:
        return await db.db_select(items, {"id": pk})

    async def crud_db_core(pk: int) -> object:
        return await db.fetch(items.select().where(items.c.id == pk))

    async def sqlalchemy_async(pk: int) -> object:
        async with engine.connect() as conn:
            return (await conn.execute(items.select().where(items.c.id == pk))).all()

    contenders: dict[str, Query] = {
        "raw asyncpg (pool.fetch)": raw_asyncpg,
        "CrudDB.db_select": crud_db,
        "CrudDB.fetch(Core select)": crud_db_core,
        "SQLAlchemy async engine": sqlalchemy_async,
    }
    # same rows through every contender
    for query in contenders.values():
        rows = await query(7)
        assert len(rows) == 1  # type: ignore[arg-type]
        await time_queries(query, n // 10 or 1)  # warm up: caches, prepared statements
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_ in range(rounds):
        # small batches, rotated order: load from other processes hits every contender
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            results[name].append(await time_queries(contenders[name], n))
    await engine.dispose()
    await pool.close()
    await db.drop_all()
    await db.close()

    def medians(name: str) -> tuple[float, float]:
        values = results[name]
        return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)

    base_wall, base_cpu = medians("raw asyncpg (pool.fetch)")
    print(f"primary-key select, {rounds} batches of {n} queries each, median batch")
    print("wall: latency per query; cpu: this process's CPU per query (the client's overhead)")
    ratio = "vs asyncpg"
    print(f"| {'contender':<26} | {'wall us':>8} | {ratio:>10} | {'cpu us':>7} | {ratio:>10} |")
    print(f"|{'-' * 28}|{'-' * 9}:|{'-' * 11}:|{'-' * 8}:|{'-' * 11}:|")
    for name in results:
        wall, cpu = medians(name)
        print(
            f"| {name:<26} | {wall:>8.1f} | {wall / base_wall:>9.2f}x "
            f"| {cpu:>7.1f} | {cpu / base_cpu:>9.2f}x |"
        )


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="queries per batch")
    parser.add_argument("--rounds", type=int, default=40, help="batches per contender")
    args = parser.parse_args()
    url = os.environ.get("DATASTORE")
    if url:
        asyncio.run(main(url, args.n, args.rounds))
        return
    with tempfile.TemporaryDirectory() as tmp:
        with EmbeddedPostgres(Path(tmp) / "data") as server:
            asyncio.run(main(server.url, args.n, args.rounds))


if __name__ == "__main__":
    run()
