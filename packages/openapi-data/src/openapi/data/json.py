"""JSON text with datetime, date, time, UUID, Decimal, Enum and dataclass support.

orjson is used when installed (extra ``fast``); the standard library otherwise. Both give
the same compact text for the same data.
"""

from __future__ import annotations

import dataclasses
import json as _json
from typing import Any

from ._convert import dump_any

__all__ = ["JSONDecodeError", "dumps", "loads"]

JSONDecodeError = _json.JSONDecodeError


def _default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        from .dump import dump

        return dump(type(obj), obj)
    return dump_any(obj)


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


def dumps(obj: Any) -> str:
    """Compact JSON text of ``obj``."""
    orjson = _orjson()
    if orjson:
        option = (
            orjson.OPT_NON_STR_KEYS
            | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_DATETIME
        )
        try:
            data: bytes = orjson.dumps(obj, default=_default, option=option)
        except TypeError:
            pass  # e.g. an int beyond 64 bits: the standard library writes it
        else:
            return data.decode()
    return _json.dumps(obj, default=_default, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes | bytearray) -> Any:
    """Parse JSON text; raise ``ValueError`` (``JSONDecodeError``) when malformed."""
    orjson = _orjson()
    if orjson:
        # orjson.JSONDecodeError subclasses json.JSONDecodeError.
        return orjson.loads(text)
    return _json.loads(text)
