"""Dump dataclass instances, dicts and records into JSON-ready data."""

from __future__ import annotations

from typing import Any

from ._dump import get_dumper
from ._types import is_dataclass_type

__all__ = ["dump"]


def dump(schema: Any, data: Any) -> Any:
    """JSON-ready data (dict, list, str, int, float, bool, None) of ``data`` for ``schema``.

    ``data`` may be a dataclass instance, a dict, any mapping (an asyncpg Record), or a
    list of those when ``schema`` is ``list[X]``. Keys the dataclass does not declare and
    ``None`` values are dropped.
    """
    try:
        fn = _dumpers[schema]
    except KeyError:
        fn = _dumpers[schema] = _dumper_of(schema)
    except TypeError:  # an unhashable hint: compiled, but not cached here
        fn = _dumper_of(schema)
    return fn(data)


def _dumper_of(schema: Any) -> Any:
    if is_dataclass_type(schema):
        return get_dumper(("obj", schema))
    return get_dumper(("value", schema))


_dumpers: dict[Any, Any] = {}
