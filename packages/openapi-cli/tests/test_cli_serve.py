"""``serve`` as a real subprocess: listening, access log, graceful shutdown, workers, reload."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import pytest

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parent
SERVING = re.compile(r"serving on (http://\S+) \(pid (\d+)\)")
#: how long a test waits for a line of the server's log before failing
LOG_WAIT = 30.0


class ServerProcess:
    """``openapi-cli <args>`` in a subprocess; its stderr (the log) is collected line by line."""

    def __init__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: Path = TESTS,
        script: Path = Path(sys.executable).parent / "openapi-cli",
    ) -> None:
        self.command = [sys.executable, str(script), *args]
        self.env = {**os.environ, "PYTHONPATH": str(TESTS), "LOG_LEVEL": "INFO", **(env or {})}
        self.env.pop("OPENAPI_APP", None)
        self.cwd = cwd
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> ServerProcess:
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            env=self.env,
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            # its own process group, so stop() also reaches workers a test left behind
            start_new_session=True,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            async with self._changed:
                self.lines.append(line.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_log(self, pattern: str, count: int = 1) -> list[re.Match[str]]:
        """The first ``count`` log lines matching ``pattern``; fails if the server exits first."""
        regex = re.compile(pattern)

        def found() -> list[re.Match[str]]:
            return [m for line in self.lines if (m := regex.search(line))]

        async def wait() -> list[re.Match[str]]:
            async with self._changed:
                while len(matches := found()) < count:
                    assert self._reader is not None
                    if self._reader.done():
                        raise AssertionError(
                            f"server exited before logging {pattern!r}:\n{self.log}"
                        )
                    await self._changed.wait()
                return matches[:count]

        try:
            return await asyncio.wait_for(wait(), LOG_WAIT)
        except TimeoutError:
            raise AssertionError(f"no log line {pattern!r} yet:\n{self.log}") from None

    async def urls(self, count: int = 1) -> list[str]:
        return [m.group(1) for m in await self.wait_for_log(SERVING.pattern, count)]

    def send_signal(self, signum: int = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    async def wait(self) -> int:
        assert self.process is not None and self._reader is not None
        code = await asyncio.wait_for(self.process.wait(), LOG_WAIT)
        await self._reader
        return code

    async def stop(self) -> None:
        """Make sure the process is gone (kill it if a test left it running)."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await self.process.wait()
        if self._reader is not None:
            await self._reader


StartServer = Callable[..., Coroutine[Any, Any, ServerProcess]]


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    started: list[ServerProcess] = []

    async def start(*args: str, **kwargs: Any) -> ServerProcess:
        server = await ServerProcess(*args, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        await server.stop()


async def get_json(url: str) -> Any:
    # a new connection every time: SO_REUSEPORT spreads connections, not requests
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.json()


SERVE_PLAIN = ("--app", "cli_sample_app:plain_app", "serve", "--host", "127.0.0.1", "--port", "0")


async def test_serve_answers_and_logs_access(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PLAIN)
    (url,) = await server.urls()
    assert url.startswith("http://127.0.0.1:")
    body = await get_json(f"{url}/pid")
    assert body["pid"] == server.process.pid  # type: ignore[union-attr]
    await server.wait_for_log(r'aiohttp.access .*"GET /pid HTTP/1.1" 200')
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0


async def test_serve_listens_on_localhost_by_default_and_logs_the_real_port(
    start_server: StartServer,
) -> None:
    # no --host: this machine only, as uvicorn; --port 0: the log names the port taken
    server = await start_server("--app", "cli_sample_app:plain_app", "serve", "--port", "0")
    (url,) = await server.urls()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0
    body = await get_json(f"{url}/pid")
    assert body["pid"] == server.process.pid  # type: ignore[union-attr]
    # bound to 127.0.0.1 only: another loopback address (reachable with 0.0.0.0) is refused
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", int(port)), timeout=5).close()
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_lets_the_in_flight_request_finish(
    start_server: StartServer, signum: int
) -> None:
    server = await start_server(*SERVE_PLAIN)
    (url,) = await server.urls()
    request = asyncio.create_task(get_json(f"{url}/slow?seconds=1"))
    await server.wait_for_log("slow request started")
    server.send_signal(signum)
    await server.wait_for_log(f"{signal.Signals(signum).name} received: shutting down")
    assert await request == {"slow": "done"}
    assert await server.wait() == 0
    log = server.log
    assert "Traceback" not in log
    # websockets close in on_shutdown, pools in on_cleanup: both ran, in that order
    assert log.index("sample app on_shutdown") < log.index("sample app on_cleanup")
    assert log.index("slow request started") < log.index("stopped")


async def test_a_request_longer_than_the_shutdown_timeout_is_cut(
    start_server: StartServer,
) -> None:
    server = await start_server(*SERVE_PLAIN, "--shutdown-timeout", "0.5")
    (url,) = await server.urls()
    request = asyncio.create_task(get_json(f"{url}/slow?seconds=300"))
    await server.wait_for_log("slow request started")
    server.send_signal(signal.SIGTERM)
    # the connection is cut (aiohttp's client retries a GET once: then it is refused)
    with pytest.raises(aiohttp.ClientConnectionError):
        await request
    assert await server.wait() == 0
    assert "sample app on_cleanup" in server.log


async def test_websockets_close_on_sigterm(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PLAIN, "--shutdown-timeout", "300")
    (url,) = await server.urls()
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        assert await ws.receive_str() == "hello"
        server.send_signal(signal.SIGTERM)
        message = await ws.receive()
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert message.data == 1001
    # the open websocket did not hold the shutdown until its (long) timeout
    assert await server.wait() == 0
    assert "sample app on_cleanup" in server.log


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_a_failing_start_up_is_exit_code_1(start_server: StartServer, workers: str) -> None:
    server = await start_server(
        "--app",
        "cli_sample_app:failing_app",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--workers",
        workers,
    )
    assert await server.wait() == 1
    assert "the server stopped on an error" in server.log
    assert "ConnectionRefusedError: the database is not there" in server.log
    # what did start is closed: aiohttp exits the cleanup contexts entered before the failure
    assert server.log.index("sample pool opened") < server.log.index("sample pool closed")


async def test_no_new_connection_after_the_signal(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PLAIN)
    (url,) = await server.urls()
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0
    with pytest.raises(aiohttp.ClientConnectionError):
        await get_json(f"{url}/pid")


async def test_two_workers_serve_from_two_processes(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PLAIN, "--workers", "2")
    urls = await server.urls(count=2)
    assert urls[0] == urls[1]  # one port
    logged = {int(m.group(2)) for m in await server.wait_for_log(SERVING.pattern, 2)}
    assert len(logged) == 2 and server.process.pid not in logged  # type: ignore[union-attr]
    seen: set[int] = set()
    for _ in range(200):
        seen.add((await get_json(f"{urls[0]}/pid"))["pid"])
        if len(seen) == 2:
            break
    assert seen == logged
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0
    assert server.log.count("sample app on_cleanup") == 2


async def test_sigterm_to_the_supervisor_drains_every_worker(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PLAIN, "--workers", "2")
    url, _ = await server.urls(count=2)
    started = re.compile(r"\[(\d+)\]: slow request started")
    requests: list[asyncio.Task[Any]] = []
    busy: set[str] = set()
    while len(busy) < 2 and len(requests) < 100:
        requests.append(asyncio.create_task(get_json(f"{url}/slow?seconds=3")))
        matches = await server.wait_for_log(started.pattern, count=len(requests))
        busy = {m.group(1) for m in matches}
    assert len(busy) == 2  # each worker has a request in flight
    server.send_signal(signal.SIGTERM)
    assert await asyncio.gather(*requests) == [{"slow": "done"}] * len(requests)
    assert await server.wait() == 0
    assert server.log.count("sample app on_cleanup") == 2


async def test_a_worker_that_dies_stops_the_server(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PLAIN, "--workers", "2")
    pids = [int(m.group(2)) for m in await server.wait_for_log(SERVING.pattern, 2)]
    os.kill(pids[0], signal.SIGKILL)
    assert await server.wait() != 0
    await server.wait_for_log(r"worker \d \(pid \d+\) exited with code -9")


async def test_a_busy_port_is_a_clear_error(start_server: StartServer) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = await start_server(
            "--app", "cli_sample_app:plain_app", "serve", "--host", "127.0.0.1", "--port", str(port)
        )
        assert await server.wait() == 1
    assert f"Error: cannot listen on 127.0.0.1:{port}" in server.log
    assert "Traceback" not in server.log


async def test_reload_restarts_on_a_source_change(
    start_server: StartServer, tmp_path: Path
) -> None:
    source = Path(__file__).resolve().parent / "cli_sample_app.py"
    module = tmp_path / "cli_reload_app.py"
    shutil.copy(source, module)
    with module.open("a") as f:
        f.write("\nVERSION = 1\n\ndef versioned():\n    app = plain_app()\n")
        f.write("    async def version(request):\n")
        f.write("        return web.json_response({'version': VERSION})\n")
        f.write("    app.router.add_get('/version', version)\n    return app\n")
    server = await start_server(
        "--app",
        "cli_reload_app:versioned",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--reload",
        cwd=tmp_path,
    )
    (url,) = await server.urls()
    assert await get_json(f"{url}/version") == {"version": 1}
    module.write_text(module.read_text().replace("VERSION = 1", "VERSION = 2"))
    await server.wait_for_log("cli_reload_app.py changed, restarting")
    (_, url) = await server.urls(count=2)
    assert await get_json(f"{url}/version") == {"version": 2}
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0


async def test_reload_watches_modules_only_the_server_imports(
    start_server: StartServer, tmp_path: Path
) -> None:
    package = tmp_path / "cli_reload_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from openapi.cli import rest\n\n"
        "def setup_app(app):\n"
        "    from .routes.views import add_views  # imported by the server only\n\n"
        "    add_views(app)\n\n"
        "def create_cli():\n"
        "    return rest(title='Reloaded', setup_app=setup_app)\n"
    )
    (package / "routes").mkdir()
    (package / "routes" / "__init__.py").write_text("")
    views = package / "routes" / "views.py"
    views.write_text(
        "from aiohttp import web\n\n"
        "async def answer(request):\n"
        "    return web.json_response({'answer': 'first'})\n\n"
        "def add_views(app):\n"
        "    app.router.add_get('/answer', answer)\n"
    )
    server = await start_server(
        "--app",
        "cli_reload_pkg:create_cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--reload",
        cwd=tmp_path,
    )
    (url,) = await server.urls()
    assert await get_json(f"{url}/answer") == {"answer": "first"}
    views.write_text(views.read_text().replace("first", "second"))
    await server.wait_for_log("views.py changed, restarting")
    (_, url) = await server.urls(count=2)
    assert await get_json(f"{url}/answer") == {"answer": "second"}
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0


async def test_an_application_main_serves_with_workers(start_server: StartServer) -> None:
    # `python main.py serve`: the rest() group's own main(), as an application ships it
    server = await start_server(
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--workers",
        "2",
        script=TESTS / "cli_sample_app.py",
    )
    url, _ = await server.urls(count=2)
    document = await get_json(f"{url}/spec")
    assert document["info"]["title"] == "Sample"
    assert await get_json(f"{url}/things") == [{"name": "one"}]
    async with aiohttp.ClientSession() as session, session.get(f"{url}/things/x") as response:
        assert response.status == 404
        assert await response.json() == {"message": "Not Found"}
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0
    assert server.log.count("sample app on_cleanup") == 2


# --- what an operator needs: JSON logs with request ids, draining, metrics of workers -------

SERVE_PRODUCTION = (
    "--app",
    "cli_sample_app:production_cli",
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
)


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


async def test_json_logs_name_the_request(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PRODUCTION, "--log-format", "json")
    (url,) = await server.urls()
    async with aiohttp.ClientSession() as session:
        headers = {"X-Request-Id": "quote-me-42"}
        async with session.get(f"{url}/crash/x", headers=headers) as response:
            assert response.status == 500
            assert response.headers["X-Request-Id"] == "quote-me-42"
            assert await response.json() == {
                "message": "Internal Server Error",
                "request_id": "quote-me-42",
            }
        async with session.get(f"{url}/slow?seconds=0") as response:
            generated = response.headers["X-Request-Id"]
    await server.wait_for_log(r'"status": 200')
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0
    records = json_lines(server.lines)
    assert len(records) == len([line for line in server.lines if line.strip()])  # all JSON
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
    crash = [r for r in records if r.get("request_id") == "quote-me-42"]
    # the error with its traceback, then the access line: both name the request
    assert [r["logger"] for r in crash] == ["openapi.spec", "aiohttp.access"]
    assert crash[0]["level"] == "ERROR" and "RuntimeError: crash x" in crash[0]["exception"]
    access = crash[1]
    assert access["route"] == "/crash/{name}" and access["status"] == 500
    assert isinstance(access["duration"], float)
    slow = [r for r in records if r.get("request_id") == generated]
    assert [r["message"] for r in slow][0] == "slow request started"
    assert slow[-1]["route"] == "/slow" and slow[-1]["status"] == 200


async def test_text_logs_name_the_request(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PRODUCTION, "--no-access-log")
    (url,) = await server.urls()
    async with aiohttp.ClientSession() as session:
        headers = {"X-Request-Id": "text-7"}
        async with session.get(f"{url}/slow?seconds=0", headers=headers) as response:
            assert response.status == 200
    await server.wait_for_log(r"cli_sample_app \[\d+\] text-7: slow request started")
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0
    assert "aiohttp.access" not in server.log


async def test_sigterm_turns_readiness_off_then_drains(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PRODUCTION, "--drain-delay", "1.5")
    (url,) = await server.urls()
    assert await get_json(f"{url}/health/ready") == {"status": "ready", "checks": {}}
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        assert await ws.receive_str() == "hello"
        request = asyncio.create_task(get_json(f"{url}/slow?seconds=2.5"))
        await server.wait_for_log("slow request started")
        server.send_signal(signal.SIGTERM)
        await server.wait_for_log("not ready any more")
        # still serving during the drain delay, but not ready
        async with session.get(f"{url}/health/ready") as response:
            assert response.status == 503
            body = await response.json()
            assert body["errors"] == [{"field": "server", "message": "shutting down"}]
        assert (await get_json(f"{url}/health/live")) == {"status": "alive"}
        message = await ws.receive()
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1001
        assert await request == {"slow": "done"}
    assert await server.wait() == 0


async def test_metrics_of_two_workers_sum_in_one_scrape(start_server: StartServer) -> None:
    server = await start_server(*SERVE_PRODUCTION, "--workers", "2", "--no-access-log")
    url, _ = await server.urls(count=2)
    seen: set[int] = set()
    for _ in range(20):
        assert await get_json(f"{url}/items/7") == {"id": "7"}
        seen.add((await get_json(f"{url}/pid"))["pid"])
    assert len(seen) == 2  # both workers answered
    for _ in range(4):  # whichever worker answers the scrape, it tells the sum
        async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
            text = await response.text()
        assert 'http_requests_total{method="GET",route="/pid",status="200"} 20.0' in text
        assert 'http_requests_total{method="GET",route="/items/{id}",status="200"} 20.0' in text
        assert "/items/7" not in text
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0


@pytest.mark.parametrize(
    ("choice", "running"), [("asyncio", "asyncio"), ("uvloop", "uvloop"), ("auto", "uvloop")]
)
async def test_serve_runs_on_the_loop_chosen(
    start_server: StartServer, choice: str, running: str
) -> None:
    # the test environment installs the fast extra: auto picks uvloop
    server = await start_server(*SERVE_PLAIN, "--loop", choice)
    (url,) = await server.urls()
    (match,) = await server.wait_for_log(r"event loop: (\w+)")
    assert match.group(1) == running
    body = await get_json(f"{url}/pid")
    assert body["pid"] == server.process.pid  # type: ignore[union-attr]
    server.send_signal(signal.SIGTERM)
    assert await server.wait() == 0
