"""`openapi-cli new` from the built wheels, in a fresh virtualenv (no editable install of
the framework): the project installs, its development database starts, its migrations
run, it serves every endpoint and its own tests pass."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from openapi.db.embedded import free_port

pytestmark = pytest.mark.slow


class Venv:
    """A virtualenv and the commands run in it (the project folder as working directory)."""

    def __init__(self, path: Path, wheels: Path) -> None:
        self.path = path
        self.wheels = wheels
        self.bin = path / "bin"

    def install(self, *requirements: str) -> None:
        # uv (installed with hatch) when there, pip otherwise: the same --find-links install
        uv = shutil.which("uv")
        if uv:
            command = [uv, "pip", "install", "--python", str(self.bin / "python")]
        else:  # pragma: no cover - CI has uv
            command = [str(self.bin / "python"), "-m", "pip", "install", "--quiet"]
        run([*command, "--find-links", str(self.wheels), *requirements])

    def run(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
        return run([str(self.bin / args[0]), *args[1:]], cwd=cwd, env=self.env(env))

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATASTORE", "OPENAPI_APP")}
        env.pop("PYTHONPATH", None)
        env["VIRTUAL_ENV"] = str(self.path)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return {**env, **(extra or {})}


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@contextmanager
def private_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder outside pytest's numbered ones: a concurrent pytest session prunes
    those, which would delete a running PostgreSQL's data or the venv under our feet."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def wheel_venv(built_wheels: dict[str, Path]) -> Iterator[Venv]:
    """A fresh virtualenv with the meta-package installed from the built wheels only."""
    with private_folder("wheel-venv-") as folder:
        yield make_venv(folder / "venv", built_wheels["meta"].parent)


def make_venv(path: Path, wheels: Path) -> Venv:
    uv = shutil.which("uv")
    if uv:
        run([uv, "venv", "--quiet", "--python", sys.executable, str(path)])
    else:  # pragma: no cover
        run([sys.executable, "-m", "venv", str(path)])
    venv = Venv(path, wheels)
    venv.install("aio-openapi[embedded]>=4.0.0a1")
    return venv


@pytest.fixture
def project(wheel_venv: Venv) -> Iterator[Path]:
    with private_folder("new-project-") as parent:
        output = wheel_venv.run("openapi-cli", "new", "notes-app", cwd=parent)
        assert "project notes-app written to notes-app/" in output
        folder = parent / "notes-app"
        wheel_venv.install("-e", f"{folder}[test]")
        try:
            yield folder
        finally:
            # the development server outlives commands: stop it if the test left it running
            if (folder / ".openapi" / "pgdata" / "postmaster.pid").exists():
                stop_dev_database(wheel_venv, folder)


def stop_dev_database(wheel_venv: Venv, folder: Path) -> None:
    subprocess.run(
        [str(wheel_venv.bin / "openapi-cli"), "db", "dev", "--stop"],
        cwd=folder,
        env=wheel_venv.env(),
        capture_output=True,
        timeout=120,
    )


def test_the_framework_comes_from_the_wheels(wheel_venv: Venv, tmp_path: Path) -> None:
    probe = (
        "import importlib.metadata as m, openapi.cli, openapi.data, openapi.db, openapi.spec, "
        "openapi.ws; print(m.version('aio-openapi')); "
        "print('\\n'.join(p.__file__ for p in (openapi.cli, openapi.data, openapi.db, "
        "openapi.spec, openapi.ws)))"
    )
    version, *files = wheel_venv.run("python", "-c", probe, cwd=tmp_path).split()
    assert version == "4.0.0a1"
    # every package from the venv's site-packages, none from this checkout (editable)
    for file in files:
        assert file.startswith(str(wheel_venv.path)) and "site-packages" in file, file


async def test_a_new_project_works_at_once(wheel_venv: Venv, project: Path) -> None:
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    for expected in ("README.md", "main.py", "pyproject.toml", "tests/test_api.py"):
        assert expected in files
    assert any(name.startswith("migrations/versions/") for name in files)

    # the development database: a fixed port kept in the project, found without DATASTORE
    output = wheel_venv.run("openapi-cli", "db", "dev", cwd=project)
    (datastore,) = re.findall(r"^DATASTORE=(\S+)$", output, re.MULTILINE)
    settings = json.loads((project / ".openapi" / "dev-database.json").read_text())
    assert f":{settings['port']}/" in datastore
    assert datastore in wheel_venv.run("openapi-cli", "db", "dev", cwd=project)
    output = wheel_venv.run("openapi-cli", "db", "upgrade", cwd=project)
    assert "Running upgrade" in output
    # the shipped migration is exactly the table: nothing to autogenerate
    output = wheel_venv.run("openapi-cli", "db", "migrate", "-m", "check", cwd=project)
    assert "no change in the tables: no revision written" in output

    port = free_port()
    log = (project / "serve.log").open("w+b")
    server = subprocess.Popen(
        [str(wheel_venv.bin / "openapi-cli"), "serve", "--port", str(port)],
        cwd=project,
        env=wheel_venv.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base, server, log)
        await call_every_endpoint(base)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        log.close()

    # the project's own tests, on a database of their own on the development server
    output = wheel_venv.run(
        "pytest", "-q", "-p", "no:cacheprovider", cwd=project, env={"DATASTORE": datastore}
    )
    assert re.search(r"\b2 passed\b", output), output
    assert "stopped" in wheel_venv.run("openapi-cli", "db", "dev", "--stop", cwd=project)


def wait_for(base: str, server: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + 60
    while True:
        log.seek(0)
        assert server.poll() is None, log.read().decode(errors="replace")
        try:
            with urllib.request.urlopen(f"{base}/spec", timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, "the project did not start serving"
            time.sleep(0.1)


async def call_every_endpoint(base: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{base}/stream") as ws:
            await ws.send_json({"id": "1", "method": "subscribe", "payload": {"channel": "notes"}})
            assert (await ws.receive_json(timeout=10))["id"] == "1"
            async with session.post(f"{base}/notes", json={"title": "first"}) as response:
                assert response.status == 201, await response.text()
                note = await response.json()
            event = await ws.receive_json(timeout=10)
            assert event == {"channel": "notes", "event": "created", "data": note}
        async with session.get(f"{base}/notes") as response:
            assert response.status == 200
            assert await response.json() == [note]
        item = f"{base}/notes/{note['id']}"
        async with session.get(item) as response:
            assert await response.json() == note
        async with session.patch(item, json={"done": True}) as response:
            assert (await response.json())["done"] is True
        async with session.post(f"{base}/notes", json={"title": ""}) as response:
            assert response.status == 422
        async with session.delete(item) as response:
            assert response.status == 204
        async with session.get(item) as response:
            assert response.status == 404
        async with session.get(f"{base}/spec") as response:
            paths = (await response.json())["paths"]
            assert set(paths) >= {"/notes", "/notes/{id}"}
