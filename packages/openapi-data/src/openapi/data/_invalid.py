"""How a generated loader says no: the ``Invalid`` exception and the ``MISSING`` marker."""

from __future__ import annotations

from typing import Any


class Invalid(Exception):
    """A value was rejected: ``args[0]`` is the message, no args when the errors of its
    children were already recorded."""


MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "MISSING"})()
