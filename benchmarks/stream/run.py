"""A large list streamed against the same list dumped at once: peak memory and rows/s.

One PostgreSQL (DATASTORE, else an embedded one started here) holding N tasks. An
aiohttp server in a fresh process answers ``GET /tasks`` either as NDJSON, rows read
through ``CrudDB.stream`` (a cursor in a transaction, 500 rows a fetch) and written by
``openapi.spec.stream_rows``, or as one JSON array (every row fetched, dumped, encoded,
sent). Both dump each row with the same dataclass. A client in the same process reads
the body in 64 KiB pieces and drops them; the server samples its own RSS every 5 ms.
Printed: rows/s and peak RSS growth over the process's RSS before the request.
Run: ``hatch run bench:stream`` (``--rows 100000``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from openapi.data import fields
from openapi.data.dump import dump
from openapi.data.json import dumps_bytes
from openapi.db import CrudDB
from openapi.db.embedded import EmbeddedPostgres
from openapi.spec import json_body_response, stream_rows

metadata = sa.MetaData()
tasks = sa.Table(
    "bench_stream_tasks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(64), nullable=False),
    sa.Column("severity", sa.SmallInteger, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)

SEED = """
INSERT INTO bench_stream_tasks (id, title, severity, done, created)
SELECT i, 'task number ' || i, i % 6, i % 2 = 0, now() FROM generate_series(1, $1::int) AS i
"""


@dataclasses.dataclass
class Task:
    id: int = fields.integer_field(required=True)
    title: str = fields.str_field(required=True)
    severity: int = fields.integer_field(required=True)
    done: bool = fields.bool_field(required=True)
    created: datetime = fields.date_time_field(required=True)


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


def dump_row(row: object) -> object:
    return dump(Task, dict(row))  # type: ignore[call-overload]


async def serve(url: str, mode: str, rows: int) -> None:
    db = CrudDB(url, metadata, min_size=1, max_size=2)

    async def streamed(request: web.Request) -> web.StreamResponse:
        return await stream_rows(request, db.stream(tasks, order_by="id"), dump_row)

    async def at_once(request: web.Request) -> web.StreamResponse:
        found = await db.fetch(tasks.select().order_by(tasks.c.id))
        return json_body_response(dumps_bytes([dump_row(row) for row in found]))

    app = web.Application()
    app.router.add_get("/tasks", streamed if mode == "stream" else at_once)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as session:
        await db.open()
        before = peak = rss()
        sampling = True

        async def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, rss())
                await asyncio.sleep(0.005)

        sampler = asyncio.create_task(sample())
        start = time.perf_counter()
        size = 0
        async with session.get(f"http://127.0.0.1:{port}/tasks") as response:
            async for piece in response.content.iter_chunked(65536):
                size += len(piece)
        elapsed = time.perf_counter() - start
        sampling = False
        await sampler
    await runner.cleanup()
    await db.close()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak = max(peak, maxrss)
    print(f"{mode}\t{rows / elapsed:.0f}\t{(peak - before) / 2**20:.1f}\t{size / 2**20:.1f}")


async def seed(url: str, rows: int) -> None:
    db = CrudDB(url, metadata, min_size=1, max_size=1)
    await db.drop_all()
    await db.create_all()
    async with db.connection() as conn:
        await conn.execute(SEED, rows)
        await conn.execute("VACUUM ANALYZE bench_stream_tasks")
    await db.close()


async def drop(url: str) -> None:
    db = CrudDB(url, metadata, min_size=1, max_size=1)
    await db.drop_all()
    await db.close()


def main(url: str, rows: int, repeat: int) -> None:
    asyncio.run(seed(url, rows))
    print(f"{rows:,} rows; each run in a fresh process")
    print("| answer | rows/s | peak RSS growth MiB | body MiB |")
    print("|---|---:|---:|---:|")
    try:
        for _ in range(repeat):
            for mode in ("stream", "at-once"):
                out = subprocess.run(
                    [sys.executable, __file__, "--serve", mode, "--rows", str(rows)],
                    env={**os.environ, "DATASTORE": url},
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()
                name = (
                    "NDJSON stream (CrudDB.stream + stream_rows)"
                    if mode == "stream"
                    else ("JSON array, fetched and dumped at once")
                )
                print(f"| {name} | {int(out[1]):,} | {out[2]} | {out[3]} |", flush=True)
    finally:
        asyncio.run(drop(url))


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--serve", choices=("stream", "at-once"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("DATASTORE")
    if args.serve:
        assert url
        asyncio.run(serve(url, args.serve, args.rows))
        return
    if url:
        main(url, args.rows, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        with EmbeddedPostgres(Path(tmp) / "data") as server:
            main(server.url, args.rows, args.repeat)


if __name__ == "__main__":
    run()
