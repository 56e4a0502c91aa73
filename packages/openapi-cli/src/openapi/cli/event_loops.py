"""Which event loop ``serve`` runs: uvloop when it is installed, else asyncio's own.

``--loop auto`` (the default) picks uvloop if it can be imported (the ``fast`` extra
installs it), ``--loop uvloop`` insists on it, ``--loop asyncio`` keeps the standard loop.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import Callable
from typing import cast

#: the values of ``serve --loop``
LOOP_CHOICES = ("auto", "asyncio", "uvloop")

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class LoopUnavailableError(RuntimeError):
    """The event loop asked for is not installed."""


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def resolve_loop(name: str) -> str:
    """``asyncio`` or ``uvloop``: the loop ``name`` (one of :data:`LOOP_CHOICES`) means here."""
    if name not in LOOP_CHOICES:
        raise ValueError(f"unknown event loop {name!r}: one of {', '.join(LOOP_CHOICES)}")
    if name == "auto":
        return "uvloop" if uvloop_installed() else "asyncio"
    if name == "uvloop" and not uvloop_installed():
        raise LoopUnavailableError(
            "--loop uvloop needs uvloop: pip install 'aio-openapi-cli[fast]'"
        )
    return name


def loop_factory(name: str) -> LoopFactory:
    """A function creating a new event loop of the kind ``name`` resolves to."""
    if resolve_loop(name) == "uvloop":
        # an optional dependency, imported only when chosen
        uvloop = importlib.import_module("uvloop")
        return cast(LoopFactory, uvloop.new_event_loop)
    return asyncio.new_event_loop
