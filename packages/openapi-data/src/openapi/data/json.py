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

from ._json_text import encode, encode_bytes, has_orjson, loads
from ._output_values import dump_any
from .dump import cached_dumper, dump

__all__ = ["JSONDecodeError", "dump_bytes", "dumps", "dumps_bytes", "loads"]

JSONDecodeError = _json.JSONDecodeError


def dumps(obj: Any) -> str:
    """Compact JSON text of ``obj``."""
    return encode(obj, _default)


def dump_bytes(schema: Any, data: Any) -> bytes:
    """The JSON of ``dump(schema, data)`` as UTF-8 bytes, in one pass: with orjson, the
    dumper leaves datetimes (naive or UTC) and dates to orjson, which writes the same
    ISO 8601 text as ``isoformat()`` some five times faster."""
    if not has_orjson():
        return dumps_bytes(dump(schema, data))
    dumped = cached_dumper(schema, native_times=True)(data)
    return _utf8(encode_bytes(dumped, _default, native_times=True))


def dumps_bytes(obj: Any) -> bytes:
    """Compact JSON of ``obj`` as UTF-8 bytes: :func:`dumps` without the round trip
    through ``str`` (what a response body needs)."""
    return _utf8(encode_bytes(obj, _default))


def _utf8(data: bytes | str) -> bytes:
    # orjson's bytes as they come; the standard library's text encoded
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
