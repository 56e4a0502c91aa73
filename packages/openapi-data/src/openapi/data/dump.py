"""Dump dataclass instances, dicts and records into JSON-ready data."""

from __future__ import annotations

from typing import Any

from ._kinds import dumper_of

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
        fn = _dumpers[schema] = dumper_of(schema)
    except TypeError:  # an unhashable hint: compiled, but not cached here
        fn = dumper_of(schema)
    return fn(data)


_dumpers: dict[Any, Any] = {}
