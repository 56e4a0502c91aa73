"""``serve --loop``: which event loop each choice means, with and without uvloop."""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from click.testing import CliRunner
from openapi.cli import event_loops, rest
from openapi.cli.event_loops import LoopUnavailableError, loop_factory, resolve_loop


def test_auto_is_uvloop_when_installed() -> None:
    assert resolve_loop("auto") == "uvloop"
    loop = loop_factory("auto")()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_asyncio_is_the_standard_loop() -> None:
    loop = loop_factory("asyncio")()
    try:
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()


def test_without_uvloop_auto_is_asyncio_and_uvloop_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(event_loops, "uvloop_installed", lambda: False)
    assert resolve_loop("auto") == "asyncio"
    assert loop_factory("auto") is asyncio.new_event_loop
    with pytest.raises(LoopUnavailableError, match=r"aio-openapi-cli\[fast\]"):
        resolve_loop("uvloop")
    result = CliRunner().invoke(rest(), ["serve", "--port", "0", "--loop", "uvloop"])
    assert result.exit_code == 2
    assert "--loop uvloop needs uvloop" in result.output


def test_an_unknown_loop_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event loop"):
        resolve_loop("trio")
    result = CliRunner().invoke(rest(), ["serve", "--port", "0", "--loop", "trio"])
    assert result.exit_code == 2
