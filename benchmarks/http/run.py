"""End-to-end HTTP benchmark: the Tasks API on this project, aio-openapi 3.2.1 and FastAPI.

    hatch run bench:http [--duration 10] [--rounds 5] [--connections 32] [--only ours,fastapi]
                         [--endpoints list,get,create] [--profile DIR] [--json FILE]

One embedded PostgreSQL (openapi.db.embedded), one database per implementation seeded
with the same rows, one server process per implementation on 127.0.0.1 (a pool of
``--pool`` connections each). aio-openapi 3.2.1 ships its own ``openapi/__init__.py``,
so it and FastAPI run from throw-away virtualenvs in ``benchmarks/http/.venvs`` (made
with ``python -m venv`` and pip from ``peers/*.txt``, remade when those files change);
this project runs from the bench environment. Every server gets a smoke check (shapes,
404, 201, 422), then, in ``--rounds`` interleaved rounds (each starting with another
implementation), each endpoint is loaded for its share of ``--duration`` seconds from a
separate process: wrk (installed with apt-get when missing and running as root),
otherwise an aiohttp generator with the same connection count. The first round warms
each server up for ``--warmup`` seconds first.

Printed per endpoint per implementation: requests/s, p50 and p99 latency, errors
(non-2xx answers and socket errors), this project's requests/s as a multiple of the
others', and the CPU time per request of the server process and of PostgreSQL (read
from /proc: on a shared machine these vary less than requests/s). ``--profile DIR``
records this project's server with py-spy (on PATH or beside the interpreter) during
the first round and prints where its time went.

Endpoints: ``list`` GET /tasks?done=false&limit=25 (25 of the 500 matching rows ordered
by id, with X-Total-Count and Link), ``get`` GET /tasks/{id} (ids cycling over the
seeded rows), ``create`` POST /tasks (a valid body; the created rows are deleted after
each run so every round sees the seeded table).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
VENVS = HERE / ".venvs"

OURS = "aio-openapi (this project)"
OURS_ASYNCIO = "aio-openapi, asyncio loop"
OURS_TWO_WORKERS = "aio-openapi, serve --workers 2 (server CPU: the supervisor only)"
OURS_OBSERVED = "aio-openapi, metrics+tracing on"
OURS_METRICS = "aio-openapi, metrics on"
SEED = "aio-openapi 3.2.1"
FASTAPI = "FastAPI+uvicorn"
FASTAPI_STANDARD = "FastAPI+uvicorn[standard]"
FLOOR = "floor: aiohttp+asyncpg+uvloop"

LIST_QUERY = "/tasks?done=false&limit=25"
CREATE_BODY = {"title": "benchmark task", "severity": 3, "done": True}
ENDPOINTS = ("list", "get", "create")
VERSIONS_OF = {
    "ours": ["aio-openapi-db", "aiohttp", "asyncpg", "SQLAlchemy", "orjson"],
    "aio-openapi": ["aio-openapi", "aiohttp", "asyncpg", "SQLAlchemy", "simplejson"],
    "fastapi": ["fastapi", "starlette", "uvicorn", "httptools", "pydantic", "asyncpg"],
    "fastapi-std": ["fastapi", "uvicorn", "uvloop", "httptools", "pydantic", "asyncpg"],
    "floor": ["aiohttp", "asyncpg", "uvloop", "orjson"],
}
VERSIONS_OF["ours"] = [*VERSIONS_OF["ours"], "uvloop"]
VERSIONS_OF["ours-asyncio"] = VERSIONS_OF["ours"]
VERSIONS_OF["ours-2w"] = VERSIONS_OF["ours"]
VERSIONS_OF["ours-observed"] = [*VERSIONS_OF["ours"], "prometheus-client", "opentelemetry-sdk"]
VERSIONS_OF["ours-metrics"] = [*VERSIONS_OF["ours"], "prometheus-client"]
# requests/s ours must reach, as a multiple of each peer's (the floor is a reference line)
TARGETS = {"aio-openapi": 2.0, "fastapi": 1.0, "fastapi-std": 1.25}
DEFAULT_ONLY = "ours,aio-openapi,fastapi,fastapi-std,floor"

DDL = """
CREATE TABLE tasks (
    id serial PRIMARY KEY,
    title varchar(64) NOT NULL,
    severity smallint NOT NULL,
    done boolean NOT NULL DEFAULT false,
    created timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass
class Implementation:
    name: str
    key: str
    requirements: Path | None  # None: this project, from the running interpreter
    script: Path
    arguments: tuple[str, ...] = ()  # given to the script after --port
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    versions: str = ""

    @property
    def python(self) -> Path:
        if self.requirements is None:
            return Path(sys.executable)
        return VENVS / self.key / "bin" / "python"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_seconds: float = 0.0  # the server process's user + system time during the run
    pg_cpu_seconds: float = 0.0  # PostgreSQL's (all its processes) during the run
    non_2xx: int = 0
    socket_errors: int = 0

    def merge(self, other: Result) -> Result:
        """Two runs as one: counts and times added, percentiles weighted by requests."""
        requests = self.requests + other.requests
        weight = self.requests / requests if requests else 0.5
        return Result(
            requests=requests,
            seconds=self.seconds + other.seconds,
            p50_ms=self.p50_ms * weight + other.p50_ms * (1 - weight),
            p99_ms=self.p99_ms * weight + other.p99_ms * (1 - weight),
            cpu_seconds=self.cpu_seconds + other.cpu_seconds,
            pg_cpu_seconds=self.pg_cpu_seconds + other.pg_cpu_seconds,
            non_2xx=self.non_2xx + other.non_2xx,
            socket_errors=self.socket_errors + other.socket_errors,
        )

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return 1e6 * self.cpu_seconds / self.requests if self.requests else 0.0

    @property
    def pg_us_per_request(self) -> float:
        return 1e6 * self.pg_cpu_seconds / self.requests if self.requests else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def implementations() -> list[Implementation]:
    return [
        Implementation(OURS, "ours", None, HERE / "ours.py", ("--loop", "uvloop")),
        Implementation(OURS_ASYNCIO, "ours-asyncio", None, HERE / "ours.py", ("--loop", "asyncio")),
        Implementation(
            OURS_TWO_WORKERS,
            "ours-2w",
            None,
            HERE / "ours.py",
            ("--loop", "uvloop", "--workers", "2"),
        ),
        Implementation(
            OURS_OBSERVED,
            "ours-observed",
            None,
            HERE / "ours.py",
            ("--loop", "uvloop", "--observe", "all"),
        ),
        Implementation(
            OURS_METRICS,
            "ours-metrics",
            None,
            HERE / "ours.py",
            ("--loop", "uvloop", "--observe", "metrics"),
        ),
        Implementation(
            SEED, "aio-openapi", PEERS / "aio-openapi.txt", PEERS / "aio_openapi_app.py"
        ),
        Implementation(FASTAPI, "fastapi", PEERS / "fastapi.txt", PEERS / "fastapi_app.py"),
        Implementation(
            FASTAPI_STANDARD,
            "fastapi-std",
            PEERS / "fastapi-standard.txt",
            PEERS / "fastapi_app.py",
            ("--loop", "auto"),
        ),
        Implementation(FLOOR, "floor", PEERS / "floor.txt", PEERS / "floor_app.py"),
    ]


# environment


def cpu_seconds(process: subprocess.Popen[bytes] | None) -> float:
    """User + system CPU seconds of a running process so far (0 where /proc is absent)."""
    if process is None:
        return 0.0
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # after the command name: state is field 3, utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(data_dir: Path) -> float:
    """CPU seconds so far of the PostgreSQL server of ``data_dir`` and its backends."""
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == postmaster or int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    from openapi.db.embedded import free_port as pick

    return pick()


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def ensure_venv(impl: Implementation, python: str) -> None:
    """Make (or remake, when its requirements or ``python`` changed) the implementation's
    virtualenv with the interpreter ``python``."""
    assert impl.requirements is not None
    venv = VENVS / impl.key
    wanted = hashlib.sha256(impl.requirements.read_bytes() + python.encode()).hexdigest()
    stamp = venv / ".requirements-sha256"
    if stamp.exists() and stamp.read_text() == wanted and impl.python.exists():
        return
    print(f"creating {venv} from {impl.requirements.name} ...", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(impl.python), "-m", "pip", "install", "-q", "-r", str(impl.requirements)],
        check=True,
    )
    stamp.write_text(wanted)


def package_versions(impl: Implementation, names: list[str]) -> str:
    code = (
        "import importlib.metadata as m, sys\n"
        "out = []\n"
        "for n in sys.argv[1:]:\n"
        "    try: out.append(f'{n} {m.version(n)}')\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(', '.join(out))"
    )
    result = subprocess.run(
        [str(impl.python), "-c", code, *names], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def find_wrk(allow_install: bool) -> str | None:
    path = shutil.which("wrk")
    if path or not allow_install:
        return path
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: apt-get install -y wrk ...", flush=True)
        quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)
    return shutil.which("wrk")


# database


async def seed_databases(server_url: str, names: list[str], rows: int) -> None:
    import asyncpg

    base = datetime(2024, 1, 1, tzinfo=UTC)
    records = [
        (f"task {i}", i % 6, i % 2 == 0, base + timedelta(minutes=i)) for i in range(1, rows + 1)
    ]
    admin = await asyncpg.connect(server_url)
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    for name in names:
        conn = await asyncpg.connect(server_url.rsplit("/", 1)[0] + f"/{name}")
        try:
            await conn.execute(DDL)
            await conn.copy_records_to_table(
                "tasks", records=records, columns=["title", "severity", "done", "created"]
            )
            await conn.execute("ANALYZE tasks")
        finally:
            await conn.close()


async def restore_table(url: str, rows: int) -> None:
    """Back to the seeded rows: created ones deleted and vacuumed away."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM tasks WHERE id > $1", rows)
        await conn.execute("VACUUM ANALYZE tasks")
    finally:
        await conn.close()


# servers


def start_server(impl: Implementation, url: str, pool: int, logs: Path) -> None:
    impl.port = free_port()
    env = dict(os.environ)
    env.update(
        DATASTORE=url,
        DBPOOL_MIN_SIZE=str(pool),
        DBPOOL_MAX_SIZE=str(pool),
        DBPOOL_MAX_OVERFLOW="0",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if impl.key == "aio-openapi":  # SQLAlchemy's async engine wants the driver named
        env["DATASTORE"] = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    impl.log = logs / f"{impl.key}.log"
    with impl.log.open("wb") as out:
        impl.process = subprocess.Popen(
            [str(impl.python), str(impl.script), "--port", str(impl.port), *impl.arguments],
            env=env,
            cwd=str(impl.script.parent),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if impl.process.poll() is not None:
            raise RuntimeError(f"{impl.name} exited:\n{impl.log.read_text()}")
        try:
            status, _, _ = http(impl, "GET", "/tasks/1")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{impl.name} did not answer within 60 s:\n{impl.log.read_text()}")


def stop_server(impl: Implementation) -> None:
    process = impl.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def http(
    impl: Implementation, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(impl.base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
        headers = {k.lower(): v for k, v in exc.headers.items()}
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw
    return status, headers, payload


def smoke_check(impl: Implementation, rows: int) -> list[str]:
    """What the implementation answers differently from the others' contract."""
    problems: list[str] = []
    status, headers, data = http(impl, "GET", LIST_QUERY)
    if status != 200 or not isinstance(data, list) or len(data) != 25:
        problems.append(f"list: {status} {str(data)[:200]}")
    else:
        if any(item.get("done") is not False for item in data):
            problems.append("list: a row with done != false")
        if [item.get("id") for item in data] != sorted(item.get("id") for item in data):
            problems.append("list: not ordered by id")
        if headers.get("x-total-count") != str(rows // 2):
            problems.append(f"list: X-Total-Count {headers.get('x-total-count')!r}")
    status, _, data = http(impl, "GET", "/tasks/7")
    wanted = {"id": 7, "title": "task 7", "severity": 1, "done": False}
    if status != 200 or not isinstance(data, dict) or {k: data.get(k) for k in wanted} != wanted:
        problems.append(f"get: {status} {str(data)[:200]}")
    elif "created" not in data:
        problems.append("get: no created")
    status, _, data = http(impl, "GET", f"/tasks/{rows + 1_000_000}")
    if status != 404:
        problems.append(f"get missing: {status}")
    status, _, data = http(impl, "POST", "/tasks", CREATE_BODY)
    if status != 201 or not isinstance(data, dict) or data.get("title") != CREATE_BODY["title"]:
        problems.append(f"create: {status} {str(data)[:200]}")
    for bad in (
        {"title": "x" * 65, "severity": 1},
        {"title": "ok", "severity": 6},
        {"title": "ok", "severity": 1, "done": "maybe"},
        {"severity": 1},
    ):
        status, _, data = http(impl, "POST", "/tasks", bad)
        if status != 422:
            problems.append(f"create {bad}: {status} (expected 422)")
    return problems


# load


# wrk's own status count is only >= 400: each thread counts its non-2xx answers instead
WRK_DONE = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
non2xx = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, bad, e.timeout))
end
"""

WRK_SCRIPTS = {
    "list": "",
    "get": """
local rows = 1000
local n = 0
init = function(args) rows = tonumber(args[1]) end
request = function()
  n = n + 1
  return wrk.format(nil, "/tasks/" .. (n % rows + 1))
end
""",
    "create": f"""
wrk.method = "POST"
wrk.body = '{json.dumps(CREATE_BODY)}'
wrk.headers["Content-Type"] = "application/json"
""",
}


def endpoint_path(endpoint: str) -> str:
    return LIST_QUERY if endpoint == "list" else "/tasks"


def run_wrk(
    wrk: str, impl: Implementation, endpoint: str, seconds: float, args: argparse.Namespace
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPTS[endpoint] + WRK_DONE)
    try:
        command = [
            wrk,
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            impl.base + endpoint_path(endpoint),
            "--",
            str(args.rows),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    for line in output.splitlines():
        if line.startswith("RESULT "):
            raw = json.loads(line[len("RESULT ") :])
            return Result(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                non_2xx=raw["status"],
                socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
            )
    raise RuntimeError(f"wrk printed no result:\n{output}")


def run_aiohttp_generator(
    impl: Implementation, endpoint: str, seconds: float, args: argparse.Namespace
) -> Result:
    command = [
        sys.executable,
        str(HERE / "loadgen.py"),
        "--base",
        impl.base,
        "--endpoint",
        endpoint,
        "--path",
        endpoint_path(endpoint),
        "--body",
        json.dumps(CREATE_BODY),
        "--rows",
        str(args.rows),
        "--connections",
        str(args.connections),
        "--duration",
        str(seconds),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    raw = json.loads(output.strip().splitlines()[-1])
    return Result(
        requests=raw["requests"],
        seconds=raw["seconds"],
        p50_ms=raw["p50_ms"],
        p99_ms=raw["p99_ms"],
        non_2xx=raw["non_2xx"],
        socket_errors=raw["socket_errors"],
    )


def measure(
    wrk: str | None, impl: Implementation, endpoint: str, seconds: float, args: argparse.Namespace
) -> Result:
    if wrk:
        return run_wrk(wrk, impl, endpoint, seconds, args)
    return run_aiohttp_generator(impl, endpoint, seconds, args)


def start_profile(
    impl: Implementation, endpoint: str, args: argparse.Namespace
) -> subprocess.Popen[bytes] | None:
    """py-spy record of this project's server during the measured run (``--profile DIR``):
    collapsed stacks in DIR/ours-ENDPOINT.txt, summarised after the run."""
    if args.profile is None or impl.key != "ours" or impl.process is None:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    args.profile.mkdir(parents=True, exist_ok=True)
    command = [py_spy, "record", "--nonblocking", "--full-filenames", "--rate", "250"]
    command += ["-f", "raw"]
    command += ["-d", str(int(args.duration)), "-p", str(impl.process.pid)]
    command += ["-o", str(args.profile / f"ours-{endpoint}.txt")]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


PACKAGES = (
    ("openapi/data", "openapi.data"),
    ("<openapi.data", "openapi.data"),
    ("openapi/spec", "openapi.spec"),
    ("openapi/db", "openapi.db"),
    ("openapi/cli", "openapi.cli"),
    ("aiohttp/", "aiohttp"),
    ("asyncpg/", "asyncpg"),
    ("sqlalchemy/", "sqlalchemy"),
    ("yarl/", "yarl"),
    ("multidict/", "multidict"),
    ("orjson", "orjson"),
    ("asyncio/", "asyncio"),
)


def package_of(frame: str) -> str:
    for marker, name in PACKAGES:
        if marker in frame:
            return name
    if "/lib/python3" in frame and "site-packages" not in frame:
        return "stdlib"
    return "other"


def short_frame(frame: str) -> str:
    """``func (/long/path/site-packages/pkg/mod.py:12)`` -> ``func (pkg/mod.py)``."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    stdlib = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"
    for marker in ("site-packages/", stdlib, str(HERE.parents[1]) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


SYSCALL_LEAVES = ("_SelectorSocketTransport.write (", "EpollSelector.select (")


def profile_summary(path: Path, top: int = 12) -> str:
    """Where the server's samples went: socket writes and epoll (time in the kernel) apart,
    then self time per package and the functions with the most self and total time."""
    from collections import Counter

    self_time: Counter[str] = Counter()
    total_time: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    samples = kernel = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        full = stack.split(";")
        frames = [short_frame(frame) for frame in full]
        samples += n
        if frames[-1].startswith(SYSCALL_LEAVES):
            kernel += n
            continue
        self_time[frames[-1]] += n
        packages[package_of(full[-1])] += n
        for frame in set(frames):
            total_time[frame] += n
    if not samples:
        return f"{path.name}: no samples"
    python = samples - kernel
    out = [
        f"{path.name}: {samples} samples, {100 * kernel / samples:.0f}% in socket writes and "
        f"epoll; of the other {python} (Python), self time by package:"
    ]

    def share(n: int) -> str:
        return f"  {100 * n / max(python, 1):5.1f}%  "

    out += [share(n) + name for name, n in packages.most_common()]
    out.append("  top self time:")
    out += [share(n) + name for name, n in self_time.most_common(top)]
    out.append("  top total time (openapi.*):")
    ours = [(f, n) for f, n in total_time.most_common() if "openapi" in package_of(f)]
    ours = [(f, n) for f, n in ours if "/cli/" not in f and "middleware.py" not in f]
    out += [share(n) + name for name, n in ours[:top]]
    return "\n".join(out)


# report


Rounds = dict[tuple[str, str], list[Result]]


def median_ratio(rounds: Rounds, endpoint: str, key: str) -> float:
    """The median over rounds of ours / ``key`` requests/s, each ratio within one round."""
    pairs = zip(rounds[(endpoint, "ours")], rounds[(endpoint, key)], strict=True)
    ratios = [ours.rps / other.rps for ours, other in pairs if other.rps]
    return statistics.median(ratios) if ratios else 0.0


def table(
    results: dict[tuple[str, str], Result],
    rounds: Rounds,
    impls: list[Implementation],
    endpoints: list[str],
) -> str:
    ours = next((i for i in impls if i.key == "ours"), None)
    lines = [
        "| endpoint | implementation | requests/s | p50 ms | p99 ms | errors "
        "| ours / this (req/s) | median of rounds | server CPU µs/req | PostgreSQL CPU µs/req |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint in endpoints:
        for impl in impls:
            result = results[(endpoint, impl.key)]
            ratio = median = "-"
            if ours is not None and impl is not ours and result.rps:
                ratio = f"{results[(endpoint, ours.key)].rps / result.rps:.2f}x"
                median = f"{median_ratio(rounds, endpoint, impl.key):.2f}x"
            lines.append(
                f"| {endpoint} | {impl.name} | {result.rps:,.0f} | {result.p50_ms:.2f} | "
                f"{result.p99_ms:.2f} | {result.errors} | {ratio} | {median} | "
                f"{result.cpu_us_per_request:,.0f} | {result.pg_us_per_request:,.0f} |"
            )
    return "\n".join(lines)


def verdict(
    results: dict[tuple[str, str], Result],
    rounds: Rounds,
    impls: list[Implementation],
    endpoints: list[str],
) -> list[str]:
    keys = {i.key for i in impls}
    lines = []
    if "ours" not in keys:
        return lines
    for endpoint in endpoints:
        ours = results[(endpoint, "ours")]
        if "floor" in keys and results[(endpoint, "floor")].rps:
            floor = results[(endpoint, "floor")]
            lines.append(
                f"{endpoint}: {ours.rps / floor.rps:.2f}x the requests/s of the floor "
                f"(median of rounds {median_ratio(rounds, endpoint, 'floor'):.2f}x); server CPU "
                f"per request, floor / ours: "
                f"{floor.cpu_us_per_request / max(ours.cpu_us_per_request, 1e-9):.2f}"
            )
        for key, target in TARGETS.items():
            if key not in keys:
                continue
            other = results[(endpoint, key)]
            ratio = ours.rps / other.rps if other.rps else float("inf")
            p99 = "p99 no worse" if ours.p99_ms <= other.p99_ms else "p99 WORSE"
            mark = ("met" if ratio >= target else "MISSED") + f", {p99}"
            ours_cpu = ours.cpu_us_per_request
            cpu = other.cpu_us_per_request / ours_cpu if ours_cpu else 0.0
            lines.append(
                f"{endpoint}: {ratio:.2f}x the requests/s of {key} (target {target:g}x: {mark}; "
                f"median of rounds {median_ratio(rounds, endpoint, key):.2f}x); "
                f"server CPU per request, {key} / ours: {cpu:.2f}"
                + ("" if ours.errors == 0 else f"; ours had {ours.errors} errors")
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="seconds measured per endpoint per implementation, split over the rounds",
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--rows", type=int, default=1000, help="rows seeded (even)")
    parser.add_argument("--pool", type=int, default=10, help="database pool size")
    parser.add_argument(
        "--only",
        default=DEFAULT_ONLY,
        help=f"implementations, comma separated (default {DEFAULT_ONLY}; also ours-asyncio, "
        "ours-observed (metrics and tracing on) and ours-metrics: --only "
        "ours,ours-observed,ours-metrics for their cost)",
    )
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--loadgen", choices=("auto", "wrk", "aiohttp"), default="auto")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--peer-python",
        help="interpreter for the peers' virtualenvs (default: this one); aio-openapi "
        "3.2.1's pins (asyncpg 0.28, httptools 0.5) have wheels up to Python 3.11",
    )
    parser.add_argument(
        "--ours-script",
        type=Path,
        help="another server script for this project (to measure a change to it)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy record this project's server under load into this folder",
    )
    parser.add_argument(
        "--keep", action="store_true", help="print the server logs' paths and keep them"
    )
    args = parser.parse_args()

    wanted = [k.strip() for k in args.only.split(",") if k.strip()]
    impls = [i for i in implementations() if i.key in wanted]
    for impl in impls:
        if impl.key.startswith("ours") and args.ours_script is not None:
            impl.script = args.ours_script.resolve()
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    if not impls or any(e not in ENDPOINTS for e in endpoints):
        keys = ", ".join(i.key for i in implementations())
        parser.error(f"--only takes {keys}; --endpoints {ENDPOINTS}")
    wrk = None if args.loadgen == "aiohttp" else find_wrk(allow_install=True)
    if args.loadgen == "wrk" and not wrk:
        parser.error("wrk is not installed")

    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
        f"{info['platform']}",
        flush=True,
    )
    for impl in list(impls):
        try:
            if impl.requirements is not None:
                ensure_venv(impl, args.peer_python or sys.executable)
            impl.versions = package_versions(impl, VERSIONS_OF[impl.key])
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"{impl.name}: left out, its environment failed: {exc}", flush=True)
            impls.remove(impl)
            continue
        print(f"{impl.name}: {impl.versions}", flush=True)
    if not impls:
        sys.exit("no implementation to run")
    loadgen = (
        f"wrk, {args.threads} thread, {args.connections} connections"
        if wrk
        else f"aiohttp generator, {args.connections} connections"
    )
    print(
        f"load: {loadgen}; {args.warmup:g} s warm-up, then {args.duration:g} s per endpoint "
        f"per implementation in {args.rounds} interleaved rounds; pool {args.pool}; "
        "one server process each",
        flush=True,
    )

    from openapi.db.embedded import EmbeddedPostgres

    workdir = Path(tempfile.mkdtemp(prefix="openapi-http-bench-"))
    logs = workdir / "logs"
    logs.mkdir()
    postgres = EmbeddedPostgres(workdir / "pgdata")
    results: dict[tuple[str, str], Result] = {}
    rounds: Rounds = {}
    try:
        server_url = postgres.start()
        names = {impl.key: f"bench_{impl.key.replace('-', '_')}" for impl in impls}
        asyncio.run(seed_databases(server_url, list(names.values()), args.rows))
        for impl in impls:
            start_server(impl, postgres.url_for(names[impl.key]), args.pool, logs)
            problems = smoke_check(impl, args.rows)
            for problem in problems:
                print(f"  smoke check, {impl.name}: {problem}", flush=True)
        for impl in impls:  # the smoke check's row goes
            asyncio.run(restore_table(postgres.url_for(names[impl.key]), args.rows))
        for round_ in range(args.rounds):
            for endpoint in endpoints:
                # each round starts with another implementation: drifts in the machine's
                # load fall on all of them
                for impl in impls[round_ % len(impls) :] + impls[: round_ % len(impls)]:
                    if round_ == 0 and args.warmup > 0:
                        measure(wrk, impl, endpoint, args.warmup, args)
                    profiler = start_profile(impl, endpoint, args) if round_ == 0 else None
                    cpu_before = cpu_seconds(impl.process)
                    pg_before = postgres_cpu_seconds(postgres.data_dir)
                    result = measure(wrk, impl, endpoint, args.duration / args.rounds, args)
                    result.cpu_seconds = cpu_seconds(impl.process) - cpu_before
                    result.pg_cpu_seconds = postgres_cpu_seconds(postgres.data_dir) - pg_before
                    if profiler is not None:
                        profiler.wait(60)
                    if endpoint == "create":  # back to the seeded rows, for the next round
                        url = postgres.url_for(names[impl.key])
                        asyncio.run(restore_table(url, args.rows))
                    key = (endpoint, impl.key)
                    results[key] = results[key].merge(result) if key in results else result
                    rounds.setdefault(key, []).append(result)
                    print(
                        f"{round_ + 1}/{args.rounds} {endpoint:7} {impl.name:27} "
                        f"{result.rps:7,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                        f"p99 {result.p99_ms:6.2f} ms  "
                        f"CPU µs/req: server {result.cpu_us_per_request:4.0f} "
                        f"PostgreSQL {result.pg_us_per_request:4.0f}  errors {result.errors}",
                        flush=True,
                    )
    finally:
        for impl in impls:
            stop_server(impl)
        postgres.stop()
        if args.keep:
            print(f"server logs kept in {logs}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(table(results, rounds, impls, endpoints))
    print()
    for line in verdict(results, rounds, impls, endpoints):
        print(line)
    if args.profile is not None:
        for endpoint in endpoints:
            path = args.profile / f"ours-{endpoint}.txt"
            if path.exists():
                print()
                print(profile_summary(path))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "load": loadgen,
                    "versions": {i.key: i.versions for i in impls},
                    "results": [
                        {
                            "endpoint": e,
                            "implementation": k,
                            "rps": r.rps,
                            "cpu_us_per_request": r.cpu_us_per_request,
                            "pg_us_per_request": r.pg_us_per_request,
                            **r.__dict__,
                        }
                        for (e, k), r in results.items()
                    ],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
