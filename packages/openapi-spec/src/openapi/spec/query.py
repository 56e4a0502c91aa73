"""Strict query strings: the keys a query schema accepts, and a 422 naming any other.

A typo'd filter must never widen what a request reads, changes or deletes, so a key
that is neither a field of the operation's query schema nor a ``name:op`` the field
allows is refused. ``@op(strict_query=False)`` lets an operation ignore extra keys.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

from openapi.data.fields import field_ops

from .errors import UnprocessableEntity

__all__ = [
    "UNKNOWN_QUERY_MESSAGE",
    "UnknownQueryParameter",
    "accepted_query_keys",
    "check_query",
    "known_query_keys",
]

UNKNOWN_QUERY_MESSAGE = "Unknown query parameter"


class UnknownQueryParameter(UnprocessableEntity):
    """422: the query string holds keys the operation does not accept, each named."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(UNKNOWN_QUERY_MESSAGE, errors=errors)


@functools.lru_cache(maxsize=512)
def accepted_query_keys(schema: Any) -> dict[str, tuple[str, ...]]:
    """Field name -> the keys it accepts (``name`` and ``name:op``), for a dataclass."""
    if not dataclasses.is_dataclass(schema):
        return {}
    return {f.name: field_ops(f) for f in dataclasses.fields(schema)}


def _unknown_key_message(key: str, accepted: dict[str, tuple[str, ...]]) -> str:
    name, sep, operator = key.partition(":")
    if sep and name in accepted:
        ops = [k.partition(":")[2] for k in accepted[name][1:]]
        allowed = f"; allowed: {', '.join(ops)}" if ops else f"; {name} takes no operator"
        return f"unknown operator '{operator}' for {name}{allowed}"
    return "unknown query parameter"


@functools.lru_cache(maxsize=512)
def known_query_keys(schema: Any) -> frozenset[str]:
    """Every query key a dataclass accepts: its fields and their ``name:op`` keys."""
    return frozenset(key for keys in accepted_query_keys(schema).values() for key in keys)


def check_query(schema: Any, keys: Iterable[str]) -> None:
    """Raise :class:`UnknownQueryParameter` naming every key the dataclass ``schema``
    does not accept (other schema types are not checked)."""
    if not isinstance(schema, type) or not dataclasses.is_dataclass(schema):
        return
    known = known_query_keys(schema)
    accepted = accepted_query_keys(schema)
    errors = [
        {"field": key, "message": _unknown_key_message(key, accepted)}
        for key in keys
        if key not in known
    ]
    if errors:
        raise UnknownQueryParameter(errors)
