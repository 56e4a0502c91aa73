"""End-to-end HTTP benchmark: the Tasks API on this project, aio-openapi 3.2.1 and FastAPI.

    hatch run bench:http [--duration 10] [--warmup 2] [--connections 32] [--rows 1000]

One embedded PostgreSQL (openapi.db.embedded), one database per implementation seeded
with the same rows, one server process per implementation on 127.0.0.1 (a pool of
``--pool`` connections each). aio-openapi 3.2.1 ships its own ``openapi/__init__.py``,
so it and FastAPI run from throw-away virtualenvs in ``benchmarks/http/.venvs`` (made
with ``python -m venv`` and pip from ``peers/*.txt``, remade when those files change);
this project runs from the bench environment. Every server gets a smoke check (shapes,
201, 422), then for each endpoint, implementation after implementation: a warm-up, then
``--duration`` seconds of load from a separate process (wrk, installed with apt-get when
missing and running as root; otherwise an aiohttp generator with the same connection
count). Printed: requests/s, p50 and p99 latency, errors (non-2xx answers and socket
errors) per endpoint per implementation, and this project's requests/s as a multiple of
each other implementation's.

Endpoints: ``list`` GET /tasks?done=false&limit=25 (25 rows of 500 matching, with
X-Total-Count), ``get`` GET /tasks/{id} (ids cycling over the seeded rows), ``create``
POST /tasks (a valid body; created rows have done=true so the list stays the same).
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
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
VENVS = HERE / ".venvs"

OURS = "aio-openapi (this project)"
SEED = "aio-openapi 3.2.1"
FASTAPI = "FastAPI+uvicorn"

LIST_QUERY = "/tasks?done=false&limit=25"
CREATE_BODY = {"title": "benchmark task", "severity": 3, "done": True}
ENDPOINTS = ("list", "get", "create")

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
    non_2xx: int = 0
    socket_errors: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def implementations() -> list[Implementation]:
    return [
        Implementation(OURS, "ours", None, HERE / "ours.py"),
        Implementation(
            SEED, "aio-openapi", PEERS / "aio-openapi.txt", PEERS / "aio_openapi_app.py"
        ),
        Implementation(FASTAPI, "fastapi", PEERS / "fastapi.txt", PEERS / "fastapi_app.py"),
    ]


# environment


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


def ensure_venv(impl: Implementation) -> None:
    """Make (or remake, when its requirements changed) the implementation's virtualenv."""
    assert impl.requirements is not None
    venv = VENVS / impl.key
    wanted = hashlib.sha256(impl.requirements.read_bytes()).hexdigest()
    stamp = venv / ".requirements-sha256"
    if stamp.exists() and stamp.read_text() == wanted and impl.python.exists():
        return
    print(f"creating {venv} from {impl.requirements.name} ...", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
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
            [str(impl.python), str(impl.script), "--port", str(impl.port)],
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


WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
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


# report


def table(
    results: dict[tuple[str, str], Result], impls: list[Implementation], endpoints: list[str]
) -> str:
    ours = next((i for i in impls if i.key == "ours"), None)
    lines = [
        "| endpoint | implementation | requests/s | p50 ms | p99 ms | errors | ours / this |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for endpoint in endpoints:
        for impl in impls:
            result = results[(endpoint, impl.key)]
            ratio = "-"
            if ours is not None and impl is not ours and result.rps:
                ratio = f"{results[(endpoint, ours.key)].rps / result.rps:.2f}x"
            lines.append(
                f"| {endpoint} | {impl.name} | {result.rps:,.0f} | {result.p50_ms:.2f} | "
                f"{result.p99_ms:.2f} | {result.errors} | {ratio} |"
            )
    return "\n".join(lines)


def verdict(
    results: dict[tuple[str, str], Result], impls: list[Implementation], endpoints: list[str]
) -> list[str]:
    targets = {"aio-openapi": 2.0, "fastapi": 1.0}
    keys = {i.key for i in impls}
    lines = []
    if "ours" not in keys:
        return lines
    for endpoint in endpoints:
        ours = results[(endpoint, "ours")]
        for key, target in targets.items():
            if key not in keys:
                continue
            other = results[(endpoint, key)]
            ratio = ours.rps / other.rps if other.rps else float("inf")
            mark = "met" if ratio >= target else "MISSED"
            lines.append(
                f"{endpoint}: {ratio:.2f}x {key} (target {target:g}x: {mark})"
                + ("" if ours.errors == 0 else f"; ours had {ours.errors} errors")
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--rows", type=int, default=1000, help="rows seeded (even)")
    parser.add_argument("--pool", type=int, default=10, help="database pool size")
    parser.add_argument(
        "--only", default="ours,aio-openapi,fastapi", help="implementations, comma separated"
    )
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--loadgen", choices=("auto", "wrk", "aiohttp"), default="auto")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--keep", action="store_true", help="print the server logs' paths and keep them"
    )
    args = parser.parse_args()

    wanted = [k.strip() for k in args.only.split(",") if k.strip()]
    impls = [i for i in implementations() if i.key in wanted]
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    if not impls or any(e not in ENDPOINTS for e in endpoints):
        parser.error(f"--only takes ours, aio-openapi, fastapi; --endpoints {ENDPOINTS}")
    wrk = None if args.loadgen == "aiohttp" else find_wrk(allow_install=True)
    if args.loadgen == "wrk" and not wrk:
        parser.error("wrk is not installed")

    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
        f"{info['platform']}",
        flush=True,
    )
    for impl in impls:
        if impl.requirements is not None:
            ensure_venv(impl)
        impl.versions = package_versions(
            impl,
            ["aio-openapi-spec", "aio-openapi", "fastapi", "uvicorn", "pydantic", "aiohttp"]
            + ["asyncpg", "SQLAlchemy", "orjson", "httptools"],
        )
        print(f"{impl.name}: {impl.versions}", flush=True)
    loadgen = (
        f"wrk, {args.threads} thread, {args.connections} connections"
        if wrk
        else f"aiohttp generator, {args.connections} connections"
    )
    print(
        f"load: {loadgen}; {args.warmup:g} s warm-up + {args.duration:g} s per endpoint per "
        f"implementation; pool {args.pool}; one server process each, asyncio event loop",
        flush=True,
    )

    from openapi.db.embedded import EmbeddedPostgres

    workdir = Path(tempfile.mkdtemp(prefix="openapi-http-bench-"))
    logs = workdir / "logs"
    logs.mkdir()
    postgres = EmbeddedPostgres(workdir / "pgdata")
    results: dict[tuple[str, str], Result] = {}
    try:
        server_url = postgres.start()
        names = {impl.key: f"bench_{impl.key.replace('-', '_')}" for impl in impls}
        asyncio.run(seed_databases(server_url, list(names.values()), args.rows))
        for impl in impls:
            start_server(impl, postgres.url_for(names[impl.key]), args.pool, logs)
            problems = smoke_check(impl, args.rows)
            for problem in problems:
                print(f"  smoke check, {impl.name}: {problem}", flush=True)
        for endpoint in endpoints:
            for impl in impls:
                if args.warmup > 0:
                    measure(wrk, impl, endpoint, args.warmup, args)
                result = measure(wrk, impl, endpoint, args.duration, args)
                results[(endpoint, impl.key)] = result
                print(
                    f"{endpoint:7} {impl.name:28} {result.rps:9,.0f} req/s  "
                    f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
                    f"errors {result.errors}",
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
    print(table(results, impls, endpoints))
    print()
    for line in verdict(results, impls, endpoints):
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "load": loadgen,
                    "versions": {i.key: i.versions for i in impls},
                    "results": [
                        {"endpoint": e, "implementation": k, "rps": r.rps, **r.__dict__}
                        for (e, k), r in results.items()
                    ],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
