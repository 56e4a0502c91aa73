"""Conversions of single output values, called by the generated dumpers."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from ._compiled import ObjectDumper, compiled
from ._input_values import as_mapping
from ._invalid import Invalid


def duration_text(td: timedelta) -> str:
    """ISO 8601 duration: ``P1DT2H3M4.5S``; negative durations get a leading ``-``."""
    total = (td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds
    sign = "-" if total < 0 else ""
    seconds, micro = divmod(abs(total), 1_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    out = f"{sign}P{days}D" if days else f"{sign}P"
    if hours or minutes or seconds or micro or not days:
        out += "T"
        if hours:
            out += f"{hours}H"
        if minutes:
            out += f"{minutes}M"
        if seconds or micro or not (hours or minutes):
            text = f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") if micro else str(seconds)
            out += f"{text}S"
    return out


def dump_any(v: Any) -> Any:
    """JSON-ready form of a value whose type is not declared."""
    cls = v.__class__
    if cls is str or cls is int or cls is float or cls is bool or v is None:
        return v
    if isinstance(v, enum.Enum):
        return dump_any(v.value)
    if isinstance(v, (str, int, float)):
        return v
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else str(dump_any(k))): dump_any(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [dump_any(x) for x in v]
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, timedelta):
        return duration_text(v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return compiled.get(ObjectDumper(type(v)))(v)
    if isinstance(v, Mapping):
        return {str(k): dump_any(x) for k, x in v.items()}
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    raise TypeError(f"cannot dump a {cls.__name__} as JSON")


def fields_as_dict(obj: Any, names: tuple[str, ...]) -> Any:
    """Input of a dataclass dumper that is not an instance of the dataclass."""
    if isinstance(obj, dict):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {n: getattr(obj, n) for n in names if hasattr(obj, n)}
    if isinstance(obj, Mapping) or (hasattr(obj, "get") and hasattr(obj, "keys")):
        return obj  # read with .get() as it is (asyncpg.Record): no copy
    try:
        return as_mapping(obj)
    except Invalid:
        raise TypeError(f"cannot dump a {type(obj).__name__} as an object") from None
