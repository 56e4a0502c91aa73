"""docs/tutorial.md, run: every code block of the page is written or executed.

File blocks (a ``title="path"``) are joined per file and must be what ``openapi-cli new
my-api`` writes. Shell blocks run command by command in the tutorial's folder, on a real
PostgreSQL: ``openapi-cli`` commands in-process (``openapi.cli.main``'s command group, in
the tutorial's folder) with ``DATASTORE`` set to a database of this run (standing in for
``openapi-cli db dev``, which has its own tests), ``serve`` as the installed console
script on a free port for the ``curl`` lines (sent with aiohttp, each answer's status
compared with the line's ``# NNN`` comment) and for the websocket transcript, ``pytest``
as a subprocess. ``pip install`` is the one command not
run: this environment already holds the framework, and the folder goes on ``PYTHONPATH``.
A block or command the runner does not know fails the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner
from openapi.cli.main import console_client
from openapi.cli.new_project import write_project
from openapi.db.embedded import free_port
from openapi.db.testing import create_database, drop_database

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
BIN = Path(sys.executable).parent
_FENCE = re.compile(r"^```(\w+)(?: title=\"([^\"]+)\")?\n(.*?)\n```$", re.M | re.S)
_STATUS = re.compile(r"#\s*(\d{3})\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of the page: its language, file title and text."""

    language: str
    title: str | None
    text: str


def tutorial_blocks() -> list[Block]:
    text = TUTORIAL.read_text(encoding="utf-8")
    return [Block(m[1], m[2], m[3]) for m in _FENCE.finditer(text)]


def tutorial_files(blocks: list[Block]) -> dict[str, str]:
    """The files the page writes: the blocks of one title, joined by two blank lines."""
    parts: dict[str, list[str]] = {}
    for block in blocks:
        if block.title:
            parts.setdefault(block.title, []).append(block.text)
    return {path: "\n\n\n".join(texts) + "\n" for path, texts in parts.items()}


def test_every_block_is_fenced_as_the_runner_reads_it() -> None:
    # a block the regular expression misses would silently escape the run below
    text = TUTORIAL.read_text(encoding="utf-8")
    assert len(tutorial_blocks()) * 2 == text.count("```")


def test_the_tutorial_writes_the_new_project(tmp_path: Path) -> None:
    write_project(tmp_path / "my-api", "my-api")
    files = tutorial_files(tutorial_blocks())
    assert {"main.py", "pyproject.toml", "tests/test_api.py"} <= set(files)
    for path, text in files.items():
        generated = (tmp_path / "my-api" / path).read_text(encoding="utf-8")
        # the project template changed: show the change in the tutorial's blocks of `path`
        assert text == generated, f"docs/tutorial.md differs from `new`'s {path}"


@dataclass
class TutorialRun:
    """Where the page's commands run and what they started."""

    folder: Path
    datastore: str
    server_url: str
    monkeypatch: pytest.MonkeyPatch
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None

    def env(self, datastore: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "OPENAPI_APP"}
        env["DATASTORE"] = datastore or self.datastore
        env["PYTHONPATH"] = str(self.cwd)
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        return env

    @property
    def cwd(self) -> Path:
        return self.folder

    def shell(self, line: str) -> None:
        for command in (c.strip() for c in line.split("&&")):
            self.command(command)

    def command(self, command: str) -> None:
        words = shlex.split(command, comments=True)
        if words[0] == "mkdir":
            (self.folder / words[1]).mkdir()
        elif words[0] == "cd":
            self.folder = self.folder / words[1]
        elif words[:2] == ["pip", "install"]:
            pass  # see the module docstring
        elif words == ["openapi-cli", "db", "dev"]:
            pass  # DATASTORE is this run's database
        elif words[:2] == ["openapi-cli", "serve"]:
            self.serve(words)
        elif words[0] == "openapi-cli":
            self.cli(words[1:])
        elif words == ["pytest"]:
            # the project's own tests: the plugin makes its database on this run's server
            pytest_command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            self.run(pytest_command, self.server_url)
        elif words[0] == "curl":
            asyncio.run(self.curl(command))
        else:
            raise AssertionError(f"the tutorial runner does not know {command!r}")

    def cli(self, args: list[str]) -> None:
        self.monkeypatch.chdir(self.cwd)
        self.monkeypatch.syspath_prepend(str(self.cwd))
        env = {"DATASTORE": self.datastore, "OPENAPI_APP": None}
        result = CliRunner().invoke(console_client(), args, env=env)
        assert result.exit_code == 0, (args, result.output, result.exception)

    def run(self, command: list[str], datastore: str | None = None) -> None:
        result = subprocess.run(
            command,
            cwd=self.cwd,
            env=self.env(datastore),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)

    def serve(self, words: list[str]) -> None:
        command = [str(BIN / "openapi-cli"), *words[1:], "--port", str(self.port)]
        self.server = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        asyncio.run(self.wait_served())

    async def wait_served(self) -> None:
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as session:
            while True:
                assert self.server and self.server.poll() is None, "openapi-cli serve exited"
                try:
                    async with session.get(self.url("/spec")) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                assert time.monotonic() < deadline, "openapi-cli serve did not answer"
                await asyncio.sleep(0.1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def local(self, url: str) -> str:
        assert url.startswith("http://127.0.0.1:8080/"), url
        return self.url(url.removeprefix("http://127.0.0.1:8080"))

    async def curl(self, line: str) -> None:
        expected = _STATUS.search(line)
        assert expected, f"a curl line says the status it expects: {line!r}"
        words = shlex.split(line, comments=True)[1:]
        method, headers, data, url = "GET", {}, None, None
        while words:
            word = words.pop(0)
            if word == "-s":
                continue
            elif word == "-X":
                method = words.pop(0)
            elif word == "-H":
                name, _, value = words.pop(0).partition(":")
                headers[name.strip()] = value.strip()
            elif word == "-d":
                data = words.pop(0)
                method = "POST" if method == "GET" else method
            else:
                assert url is None and not word.startswith("-"), f"unknown curl word {word!r}"
                url = word
        assert url
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.local(url), data=data, headers=headers) as r:
                body = await r.read()
                assert r.status == int(expected[1]), (line, r.status, body)
                if body:
                    json.loads(body)  # every answer, errors included, is JSON

    async def transcript(self, text: str) -> None:
        """Send the ``->`` lines; the ``<-`` lines after each arrive, in any order."""
        steps: list[tuple[Any, list[Any]]] = []
        for line in text.splitlines():
            arrow, _, message = line.partition(" ")
            if arrow == "->":
                steps.append((json.loads(message), []))
            else:
                assert arrow == "<-" and steps, line
                steps[-1][1].append(json.loads(message))
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(self.local("http://127.0.0.1:8080/stream")) as ws:
                for sent, expected in steps:
                    await ws.send_json(sent)
                    received = [await ws.receive_json(timeout=5) for _ in expected]
                    assert sorted(map(json.dumps, received)) == sorted(map(json.dumps, expected))

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)


@pytest.fixture
def tutorial_db(pg_server_url: str) -> Iterator[str]:
    name = f"tutorial_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(create_database(pg_server_url, name))
    try:
        yield url
    finally:
        asyncio.run(drop_database(pg_server_url, name))


@pytest.mark.slow
def test_the_tutorial_runs(
    tmp_path: Path, tutorial_db: str, pg_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = TutorialRun(tmp_path, tutorial_db, pg_server_url, monkeypatch)
    files = tutorial_files(blocks := tutorial_blocks())
    try:
        for block in blocks:
            if block.title:
                if block.title in files:  # written whole, where the page first shows it
                    path = run.cwd / block.title
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(files.pop(block.title), encoding="utf-8")
            elif block.language == "bash":
                for line in block.text.splitlines():
                    run.shell(line)
            elif block.language == "text":
                asyncio.run(run.transcript(block.text))
            else:
                raise AssertionError(f"the tutorial runner does not know {block}")
        # `db migrate` wrote the first revision from the table, `db upgrade` applied it
        assert list((run.cwd / "migrations" / "versions").glob("*_notes.py"))
        assert run.server is not None, "the tutorial serves the application"
    finally:
        run.stop()
        sys.modules.pop("main", None)  # the tutorial's application module, imported by `db`
