"""JSON text with datetime, date, time, UUID, Decimal, Enum and dataclass support.

orjson is used when installed (extra ``fast``); the standard library otherwise. Both give
the same compact text for the same data.
"""

from __future__ import annotations

import dataclasses
import json as _json
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from ._json_text import encode, encode_bytes, loads
from ._output_values import dump_any
from .dump import dump

__all__ = ["JSONDecodeError", "dumps", "dumps_bytes", "loads"]

JSONDecodeError = _json.JSONDecodeError


def dumps(obj: Any) -> str:
    """Compact JSON text of ``obj``."""
    return encode(obj, _default)


def dumps_bytes(obj: Any) -> bytes:
    """Compact JSON of ``obj`` as UTF-8 bytes: :func:`dumps` without the round trip
    through ``str`` (what a response body needs)."""
    data = encode_bytes(obj, _default)
    return data if isinstance(data, bytes) else data.encode()


#: the commonest values JSON has no type for (rows' timestamps), by exact type
_BY_TYPE: dict[type, Callable[[Any], Any]] = {
    datetime: datetime.isoformat,
    date: date.isoformat,
    time: time.isoformat,
}


def _default(obj: Any) -> Any:
    by_type = _BY_TYPE.get(type(obj))
    if by_type is not None:
        return by_type(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dump(type(obj), obj)
    return dump_any(obj)
