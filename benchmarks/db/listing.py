"""What a filtered list costs as the table grows, per total mode and cursor pagination.

One PostgreSQL (DATASTORE, else an embedded one started here), a table of tasks with an
index on ``(done, id)``, seeded with 10 000, 100 000 and 1 000 000 rows in turn (half of
them ``done = false``). For each size, the first page of ``done=false`` ordered by id,
25 rows, read through the paginators a ``SqlApiPath`` list runs (``CrudDB`` on asyncpg,
no HTTP): offset pagination with ``total="exact"``, ``"capped"`` (the default, 10 000)
and ``"none"``, and cursor pagination. Modes interleave in small batches; the table shows
the median (p50) and p90 milliseconds. Run: ``hatch run bench:db-listing``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from openapi.db import CrudDB
from openapi.db.embedded import EmbeddedPostgres
from openapi.db.listing import ListQuery, Paginator, Selection
from openapi.db.pagination import CursorPaginator, OffsetPaginator
from yarl import URL

metadata = sa.MetaData()
tasks = sa.Table(
    "bench_list_tasks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(64), nullable=False),
    sa.Column("severity", sa.SmallInteger, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Index("bench_list_tasks_done_id", "done", "id"),
)

SEED = """
INSERT INTO bench_list_tasks (id, title, severity, done)
SELECT i, 'task ' || i, i % 6, i % 2 = 0 FROM generate_series($1::int, $2::int) AS i
"""

MODES: dict[str, Paginator] = {
    "offset, total exact": OffsetPaginator(("id",), 25, 100, total="exact"),
    "offset, total capped (default)": OffsetPaginator(("id",), 25, 100),
    "offset, total none": OffsetPaginator(("id",), 25, 100, total="none"),
    "cursor": CursorPaginator(("id",), 25, 100),
}


async def grow(db: CrudDB, have: int, size: int) -> None:
    async with db.connection() as conn:
        await conn.execute(SEED, have + 1, size)
        await conn.execute("VACUUM ANALYZE bench_list_tasks")


async def measure(db: CrudDB, batch: int, rounds: int) -> dict[str, list[float]]:
    query = ListQuery(Selection(tasks, filters={"done": False}), {"limit": 25}, URL("/tasks"))
    times: dict[str, list[float]] = {name: [] for name in MODES}
    for paginator in MODES.values():  # warm: statements compiled, pages cached
        for _ in range(5):
            await paginator.page(db, query)
    for _ in range(rounds):
        for name, paginator in MODES.items():
            for _ in range(batch):
                start = time.perf_counter()
                page = await paginator.page(db, query)
                times[name].append((time.perf_counter() - start) * 1000)
                assert len(page.rows) == 25
    return times


async def main(url: str, sizes: list[int], batch: int, rounds: int) -> None:
    db = CrudDB(url, metadata, min_size=1, max_size=1)
    await db.drop_all()
    await db.create_all()
    have = 0
    print(f"first page of done=false (half the rows), 25 rows; {batch * rounds} lists per cell")
    print("| rows | mode | p50 ms | p90 ms | X-Total-Count |")
    print("|---:|---|---:|---:|---|")
    try:
        for size in sizes:
            await grow(db, have, size)
            have = size
            times = await measure(db, batch, rounds)
            query = ListQuery(Selection(tasks, filters={"done": False}), {"limit": 25})
            for name, paginator in MODES.items():
                page = await paginator.page(db, query)
                total = "absent" if page.total is None else str(page.total)
                p50 = statistics.median(times[name])
                p90 = statistics.quantiles(times[name], n=10)[-1]
                print(f"| {size:,} | {name} | {p50:.2f} | {p90:.2f} | {total} |", flush=True)
        async with db.connection() as conn:
            plan = await conn.fetch(
                "EXPLAIN SELECT count(*) FROM (SELECT 1 FROM bench_list_tasks "
                "WHERE done = false LIMIT 10001) AS c"
            )
        print("\nplan of the capped count at the last size:")
        for row in plan:
            print("   ", row[0])
    finally:
        await db.drop_all()
        await db.close()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--batch", type=int, default=10, help="lists per mode in a row")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = os.environ.get("DATASTORE")
    if url:
        asyncio.run(main(url, sizes, args.batch, args.rounds))
        return
    with tempfile.TemporaryDirectory() as tmp:
        with EmbeddedPostgres(Path(tmp) / "data") as server:
            asyncio.run(main(server.url, sizes, args.batch, args.rounds))


if __name__ == "__main__":
    run()
