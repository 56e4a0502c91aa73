"""The JSON text codec: orjson when installed (extra ``fast``), the standard library
otherwise. Both give the same compact text for the same data."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_backend: Any = None


def _orjson() -> Any:
    global _backend
    if _backend is None:
        try:
            import orjson
        except ImportError:  # pragma: no cover - depends on the environment
            _backend = False
        else:
            _backend = orjson
    return _backend


def encode(obj: Any, default: Callable[[Any], Any]) -> str:
    """Compact JSON text of ``obj``; ``default`` converts what JSON has no type for."""
    data = encode_bytes(obj, default)
    return data.decode() if isinstance(data, bytes) else data


def has_orjson() -> bool:
    """Whether orjson writes the JSON."""
    return bool(_orjson())


def encode_bytes(
    obj: Any, default: Callable[[Any], Any], *, native_times: bool = False
) -> bytes | str:
    """Compact JSON of ``obj`` as orjson's UTF-8 bytes (no copy through ``str``), or the
    standard library's text when orjson is absent or refuses the data.

    orjson hands datetimes, dates and times to ``default`` (which writes ``isoformat()``)
    unless ``native_times``: then it writes them itself, for data whose datetimes and
    dates are all ones it writes as ``isoformat()`` does (see ``json.dump_bytes``)."""
    orjson = _orjson()
    if orjson:
        option = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
        if not native_times:
            option |= orjson.OPT_PASSTHROUGH_DATETIME
        try:
            data: bytes = orjson.dumps(obj, default=default, option=option)
        except TypeError:
            pass  # e.g. an int beyond 64 bits: the standard library writes it
        else:
            return data
    return json.dumps(obj, default=default, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes | bytearray) -> Any:
    """Parse JSON text; raise ``ValueError`` (``JSONDecodeError``) when malformed."""
    orjson = _orjson()
    if orjson:
        # orjson.JSONDecodeError subclasses json.JSONDecodeError.
        return orjson.loads(text)
    return json.loads(text)
