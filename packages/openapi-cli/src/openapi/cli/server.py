"""Serving an application: listening sockets, graceful shutdown, worker processes.

One process serves with :func:`serve`. With several workers, :func:`serve_workers` binds one
socket per worker to the same port with ``SO_REUSEPORT`` (the kernel spreads connections
across them), forks the workers and forwards SIGTERM/SIGINT to them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable

from aiohttp import web
from openapi.spec.readiness import shutdown_state

from .access_log import AccessLogger
from .event_loops import loop_factory
from .transport_errors import JsonErrorAppRunner

logger = logging.getLogger("openapi.cli.server")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def bind_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(1024)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets sharing one port (``SO_REUSEPORT`` when more than one)."""
    reuse_port = count > 1
    first = bind_socket(host, port, reuse_port=reuse_port)
    sockets = [first]
    try:
        port = first.getsockname()[1]
        for _ in range(count - 1):
            sockets.append(bind_socket(host, port, reuse_port=True))
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def socket_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def serve_async(
    build_app: Callable[[], web.Application],
    sock: socket.socket,
    *,
    shutdown_timeout: float = 30.0,
    access_log: bool = True,
    parent_pid: int | None = None,
    drain_delay: float = 0.0,
) -> None:
    """Serve the application ``build_app()`` on ``sock`` until SIGTERM or SIGINT.

    On a signal readiness turns 503 (``GET /health/ready``) and requests are still served
    for ``drain_delay`` seconds, so load balancers stop sending new ones; then the socket
    stops accepting, idle connections close, ``on_shutdown`` runs (websockets close with
    1001), in-flight requests get ``shutdown_timeout`` seconds to finish, and
    ``on_cleanup`` runs (pools close). With ``parent_pid``, also stop when that process
    is gone (a worker outliving its supervisor would hold the port forever).
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(signum: int) -> None:
        if not stop.is_set():
            logger.info("%s received: shutting down", signal.Signals(signum).name)
            stop.set()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    # the workers' supervisor blocks these signals across fork: take them from here on
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    try:
        app = build_app()
        shutdown = shutdown_state(app)
        runner = JsonErrorAppRunner(
            app,
            handle_signals=False,
            shutdown_timeout=shutdown_timeout,
            access_log=logging.getLogger("aiohttp.access") if access_log else None,
            access_log_class=AccessLogger,
        )
        try:
            # after a failed start-up, cleanup still exits the cleanup contexts entered
            await runner.setup()
            await web.SockSite(runner, sock).start()
            logger.info("serving on %s (pid %d)", socket_url(sock), os.getpid())
            logger.info("event loop: %s", type(loop).__module__.partition(".")[0])
            watch = None
            if parent_pid is not None:
                watch = asyncio.create_task(_watch_parent(parent_pid, stop))
            await stop.wait()
            if watch is not None:
                watch.cancel()
            shutdown.begin()
            if drain_delay > 0:
                logger.info("not ready any more: closing in %gs", drain_delay)
                await asyncio.sleep(drain_delay)
        finally:
            await runner.cleanup()
        logger.info("stopped")
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def _watch_parent(parent_pid: int, stop: asyncio.Event) -> None:
    while os.getppid() == parent_pid:
        await asyncio.sleep(1.0)
    logger.error("the supervisor (pid %d) is gone: shutting down", parent_pid)
    stop.set()


def serve(
    build_app: Callable[[], web.Application],
    sock: socket.socket,
    *,
    shutdown_timeout: float = 30.0,
    access_log: bool = True,
    parent_pid: int | None = None,
    drain_delay: float = 0.0,
    loop: str = "auto",
) -> None:
    """Run :func:`serve_async` in a new event loop: ``loop`` is ``auto`` (uvloop when
    installed), ``uvloop`` or ``asyncio`` (see :mod:`openapi.cli.event_loops`)."""
    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        runner.run(
            serve_async(
                build_app,
                sock,
                shutdown_timeout=shutdown_timeout,
                access_log=access_log,
                parent_pid=parent_pid,
                drain_delay=drain_delay,
            )
        )


def serve_workers(
    run_worker: Callable[[socket.socket, int], None],
    sockets: list[socket.socket],
    *,
    shutdown_timeout: float = 30.0,
) -> int:
    """Fork one worker per socket, running ``run_worker(sock, supervisor_pid)``; supervise them.

    SIGTERM or SIGINT is forwarded to every worker; a worker that exits on its own stops
    the others. Returns the exit code: 0 when every worker stopped cleanly.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    # blocked until each process has its own handlers: a signal in between stays pending
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    workers: dict[int, int] = {}  # pid -> index
    supervisor = os.getpid()
    logger.info(
        "%d workers on %s (supervisor pid %d)", len(sockets), socket_url(sockets[0]), supervisor
    )
    try:
        for index, sock in enumerate(sockets):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (tested through subprocesses)
                _worker_main(run_worker, sock, sockets, supervisor)
            workers[pid] = index
        for sock in sockets:
            sock.close()
        return _supervise(workers, shutdown_timeout)
    finally:
        for pid in workers:
            _kill(pid, signal.SIGKILL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _worker_main(  # pragma: no cover - runs in the child
    run_worker: Callable[[socket.socket, int], None],
    sock: socket.socket,
    sockets: list[socket.socket],
    supervisor: int,
) -> None:
    code = 1
    try:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        # another worker's socket held here would keep taking connections if that worker died
        for other in sockets:
            if other is not sock:
                other.close()
        run_worker(sock, supervisor)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _supervise(workers: dict[int, int], shutdown_timeout: float) -> int:
    stopping: list[str] = []
    exit_code = 0

    def stop_all(reason: str) -> None:
        if not stopping:
            stopping.append(reason)
            logger.info("stopping %d workers: %s", len(workers), reason)
            for pid in workers:
                _kill(pid, signal.SIGTERM)

    def on_signal(signum: int, frame: object) -> None:
        stop_all(f"{signal.Signals(signum).name} received")

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    deadline: float | None = None
    try:
        while workers:
            exited = _reap(workers)
            for index, pid, code in exited:
                if code:
                    exit_code = exit_code or (code if code > 0 else 128 - code)
                if not stopping:
                    logger.error("worker %d (pid %d) exited with code %d", index, pid, code)
                    exit_code = exit_code or 1
                    stop_all("a worker exited")
            if exited or not workers:
                continue
            if stopping and deadline is None:
                deadline = time.monotonic() + shutdown_timeout + 5
            if deadline is not None and time.monotonic() > deadline:
                logger.error("workers still running after the shutdown timeout: killing them")
                for left in workers:
                    _kill(left, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.1)
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return exit_code


def _reap(workers: dict[int, int]) -> list[tuple[int, int, int]]:
    """(index, pid, exit code) of the workers that exited, removed from ``workers``.

    Waits on the workers' own pids: other children of this process (an embedded database
    started before ``serve``) are not ours to reap.
    """
    exited = []
    for pid in list(workers):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            exited.append((workers.pop(pid), pid, os.waitstatus_to_exitcode(status)))
    return exited


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
