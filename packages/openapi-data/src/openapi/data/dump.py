"""Dump dataclass instances, dicts and records into JSON-ready data."""

from __future__ import annotations

from typing import Any

from ._dump_emitter import Dumper
from ._kinds import dumper_of

__all__ = ["dump"]


def dump(schema: Any, data: Any) -> Any:
    """JSON-ready data (dict, list, str, int, float, bool, None) of ``data`` for ``schema``.

    ``data`` may be a dataclass instance, a dict, any mapping (an asyncpg Record), or a
    list of those when ``schema`` is ``list[X]``. Keys the dataclass does not declare and
    ``None`` values are dropped.
    """
    try:
        fn = _dumpers[schema]  # the common case inline: dump() runs once a response
    except (KeyError, TypeError):
        fn = cached_dumper(schema)
    return fn(data)


def cached_dumper(schema: Any, *, native_times: bool = False) -> Dumper:
    """The dumper of ``schema`` (see :func:`openapi.data.json.dump_bytes` for
    ``native_times``), looked up by the schema itself: no compile key is built."""
    cache = _native_dumpers if native_times else _dumpers
    try:
        fn = cache[schema]
    except KeyError:
        fn = cache[schema] = dumper_of(schema, native_times=native_times)
    except TypeError:  # an unhashable hint: compiled, but not cached here
        fn = dumper_of(schema, native_times=native_times)
    return fn


_dumpers: dict[Any, Dumper] = {}
_native_dumpers: dict[Any, Dumper] = {}
