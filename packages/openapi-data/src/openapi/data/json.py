"""JSON text with datetime, date, time, UUID, Decimal, Enum and dataclass support.

orjson is used when installed (extra ``fast``); the standard library otherwise. Both give
the same compact text for the same data.
"""

from __future__ import annotations

import dataclasses
import json as _json
from typing import Any

from ._json_text import encode, loads
from ._output_values import dump_any
from .dump import dump

__all__ = ["JSONDecodeError", "dumps", "loads"]

JSONDecodeError = _json.JSONDecodeError


def dumps(obj: Any) -> str:
    """Compact JSON text of ``obj``."""
    return encode(obj, _default)


def _default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dump(type(obj), obj)
    return dump_any(obj)
