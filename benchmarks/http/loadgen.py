"""Fallback load generator for run.py when wrk is not installed: aiohttp, fixed connections.

Each of ``--connections`` workers keeps one request in flight on its own keep-alive
connection for ``--duration`` seconds. Prints one JSON line: requests, seconds, p50_ms,
p99_ms, non_2xx, socket_errors. A Python client saturates well before wrk does, so its
figures are a lower bound on what the servers can do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp


async def worker(
    session: aiohttp.ClientSession,
    args: argparse.Namespace,
    first: int,
    deadline: float,
    latencies: list[float],
    counts: dict[str, int],
) -> None:
    n = first
    body = args.body.encode()
    headers = {"Content-Type": "application/json"}
    while True:
        start = time.perf_counter()
        if start >= deadline:
            return
        n += 1
        try:
            if args.endpoint == "create":
                request = session.post(args.base + args.path, data=body, headers=headers)
            elif args.endpoint == "get":
                request = session.get(f"{args.base}/tasks/{n % args.rows + 1}")
            else:
                request = session.get(args.base + args.path)
            async with request as response:
                await response.read()
                if not 200 <= response.status < 300:
                    counts["non_2xx"] += 1
        except (aiohttp.ClientError, OSError, TimeoutError):
            counts["socket_errors"] += 1
            continue
        latencies.append(time.perf_counter() - start)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def run(args: argparse.Namespace) -> dict[str, float]:
    latencies: list[float] = []
    counts = {"non_2xx": 0, "socket_errors": 0}
    connector = aiohttp.TCPConnector(limit=args.connections)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        deadline = start + args.duration
        await asyncio.gather(
            *(
                worker(session, args, i * 97, deadline, latencies, counts)
                for i in range(args.connections)
            )
        )
        seconds = time.perf_counter() - start
    return {
        "requests": len(latencies) + counts["non_2xx"],
        "seconds": seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--endpoint", choices=("list", "get", "create"), required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body", default="{}")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
