"""Soak: the example served by ``openapi-cli serve`` under steady mixed load.

    hatch run bench:soak [--duration 60] [--connections 64] [--warmup 10] [--json FILE]

Starts an embedded PostgreSQL in a temporary directory (or uses ``DATASTORE``), migrates
a fresh database with the example's ``db upgrade``, serves the example on 127.0.0.1 in
its own process, then keeps ``--connections`` concurrent keep-alive connections busy for
``--duration`` seconds with a mix of list (GET /tasks?limit=20), create (POST /tasks)
and get (GET /tasks/{id}, ids of tasks created earlier). Every answer is checked:
anything but the expected status, or a socket error, counts as an error.

The server's resident memory (VmRSS from /proc/<pid>/status) is sampled every second;
printed: requests/s, latency percentiles per operation, errors, RSS at the end of the
warm-up, at the end and at its peak, and the growth after the warm-up (total and per
10 000 requests) - the figure that shows whether memory levels off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from openapi.db.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.example.main:create_app"
HEADERS = {"X-Api-Key": "secret"}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cli(*args: str, env: dict[str, str], **kwargs: Any) -> Any:
    script = Path(sys.executable).parent / "openapi-cli"
    return subprocess.run(
        [str(script), "--app", APP, *args], cwd=ROOT, env=env, check=True, **kwargs
    )


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {"list": [], "create": [], "get": []}
        self.errors: dict[str, int] = {}
        self.ids: list[str] = []

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


async def one(session: aiohttp.ClientSession, base: str, stats: Stats, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.3 or not stats.ids:
        op, method, url, body, expected = "create", "POST", f"{base}/tasks", None, 201
        body = {"title": f"soak {rng.randrange(10**9)}", "severity": rng.randrange(6)}
    elif roll < 0.6:
        op, method, url, body, expected = "list", "GET", f"{base}/tasks?limit=20", None, 200
    else:
        task_id = stats.ids[rng.randrange(len(stats.ids))]
        op, method, url, body, expected = "get", "GET", f"{base}/tasks/{task_id}", None, 200
    started = time.perf_counter()
    try:
        async with session.request(method, url, json=body) as response:
            data = await response.read()
            if response.status != expected:
                stats.error(f"{op} {response.status}: {data[:200]!r}")
                return
            if op == "create":
                stats.ids.append(json.loads(data)["id"])
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        stats.error(f"{op} {type(exc).__name__}: {exc}")
        return
    stats.latencies[op].append(time.perf_counter() - started)


async def load(base: str, pid: int, args: argparse.Namespace) -> dict[str, Any]:
    stats = Stats()
    samples: list[tuple[float, int, int]] = []  # (seconds, requests so far, rss KiB)
    connector = aiohttp.TCPConnector(limit=args.connections)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        connector=connector, headers=HEADERS, timeout=timeout
    ) as session:
        started = time.monotonic()
        deadline = started + args.duration

        async def worker(n: int) -> None:
            rng = random.Random(n)
            while time.monotonic() < deadline:
                await one(session, base, stats, rng)

        async def sampler() -> None:
            while time.monotonic() < deadline:
                samples.append((time.monotonic() - started, stats.requests, rss_kib(pid)))
                await asyncio.sleep(1)
            samples.append((time.monotonic() - started, stats.requests, rss_kib(pid)))

        await asyncio.gather(sampler(), *(worker(n) for n in range(args.connections)))
        elapsed = time.monotonic() - started
    warm = [s for s in samples if s[0] >= args.warmup] or samples
    rss_warm, rss_end = warm[0][2], samples[-1][2]
    requests_after = samples[-1][1] - warm[0][1]
    result: dict[str, Any] = {
        "duration_s": round(elapsed, 1),
        "connections": args.connections,
        "requests": stats.requests,
        "requests_per_s": round(stats.requests / elapsed),
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(sorted(stats.errors.items(), key=lambda kv: -kv[1])[:10]),
        "tasks_created": len(stats.ids),
        "latency_ms": {
            op: {
                "n": len(values),
                "p50": round(statistics.median(values) * 1000, 1),
                "p99": round(sorted(values)[int(len(values) * 0.99) - 1] * 1000, 1),
                "max": round(max(values) * 1000, 1),
            }
            for op, values in stats.latencies.items()
            if values
        },
        "rss_kib": {
            "start": samples[0][2],
            "after_warmup": rss_warm,
            "end": rss_end,
            "peak": max(s[2] for s in samples),
            "growth_after_warmup": rss_end - rss_warm,
            "growth_per_10k_requests": round((rss_end - rss_warm) * 10_000 / requests_after, 1)
            if requests_after
            else None,
        },
        "rss_samples_kib": [s[2] for s in samples],
    }
    return result


async def database(server_url: str, name: str, *, drop: bool = False) -> str:
    """Create (or drop) database ``name`` on the server; returns its URL."""
    import asyncpg
    from openapi.db.dsn import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        if drop:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server_url.rsplit("/", 1)[0] + "/" + name


def serve(datastore: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATASTORE": datastore}
    script = Path(sys.executable).parent / "openapi-cli"
    process = subprocess.Popen(
        [str(script), "--app", APP, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError("the example server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/spec", timeout=2):
                return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from openapi.db.embedded import EmbeddedPostgres

    root = Path(tempfile.mkdtemp(prefix="soak-"))
    server: EmbeddedPostgres | None = None
    try:
        server_url = os.environ.get("DATASTORE")
        if not server_url:
            server = EmbeddedPostgres(root / "data")
            server_url = server.start()
        name = f"soak_{uuid.uuid4().hex[:8]}"
        url = asyncio.run(database(server_url, name))
        try:
            env = {**os.environ, "DATASTORE": url}
            cli("db", "upgrade", env=env, capture_output=True)
            port = free_port()
            process = serve(url, port)
            try:
                result = asyncio.run(load(f"http://127.0.0.1:{port}", process.pid, args))
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            result["server_exit_code"] = process.returncode
        finally:
            asyncio.run(database(server_url, name, drop=True))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before RSS counts")
    parser.add_argument("--json", type=Path, help="write the result here too")
    args = parser.parse_args()
    result = run(args)
    samples = result.pop("rss_samples_kib")
    print(json.dumps(result, indent=2))
    print("RSS (MiB) every second:", " ".join(f"{s / 1024:.1f}" for s in samples))
    if args.json:
        args.json.write_text(json.dumps({**result, "rss_samples_kib": samples}, indent=2))
    return 1 if result["errors"] or result["server_exit_code"] not in (0, None) else 0


if __name__ == "__main__":
    sys.exit(main())
