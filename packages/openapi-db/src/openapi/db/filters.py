"""Filters: ``{"name": value, "name:op": value}`` mappings turned into SQL conditions.

Operators: ``eq`` (the default), ``ne``, ``lt``, ``le``, ``gt``, ``ge``. A list value
means *any of* (``= ANY``; for ``ne``: ``<> ALL``, i.e. NOT IN), ``None`` means NULL
(``IS NULL``, or ``IS NOT NULL`` with ``ne``). Lists bind as one array parameter, so
the SQL text does not depend on the list's length.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from openapi.spec import FILTER_OPERATORS
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from .errors import InvalidFilter

__all__ = [
    "OPERATORS",
    "FilterConsumer",
    "FilterPlan",
    "FilterShape",
    "Filters",
    "build_conditions",
    "check_value",
    "column_filter",
    "plan_filters",
    "split_key",
    "table_columns",
    "value_kind",
]

#: why a text value with a NUL character is refused (PostgreSQL cannot store it)
NUL_MESSAGE = "NUL characters are not allowed"

#: the operator names (openapi.spec documents them)
OPERATORS = frozenset(FILTER_OPERATORS)

#: ``{"column": value, "column:op": value}``
Filters = Mapping[str, Any]

#: an object with ``filter_<name>(op, value)`` methods overriding the default filter
FilterConsumer = Any

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda c, v: c == v,
    "ne": lambda c, v: c != v,
    "lt": lambda c, v: c < v,
    "le": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "ge": lambda c, v: c >= v,
}


def split_key(key: str) -> tuple[str, str]:
    """``"name:op"`` -> ``("name", "op")``; ``"name"`` -> ``("name", "eq")``."""
    name, sep, op = key.partition(":")
    if not sep:
        return key, "eq"
    if op not in OPERATORS:
        raise InvalidFilter(key, f"unknown operator '{op}'")
    return name, op


def value_kind(value: Any) -> str:
    """``null``, ``list`` or ``value``: part of a statement's shape."""
    if value is None:
        return "null"
    if isinstance(value, list | tuple | set | frozenset):
        return "list"
    return "value"


def _integer_bound(column: sa.ColumnElement[Any]) -> int | None:
    """``2**(bits-1)`` of an integer column (None for other types)."""
    if isinstance(column.type, sa.SmallInteger):
        return 2**15
    if isinstance(column.type, sa.BigInteger):
        return 2**63
    if isinstance(column.type, sa.Integer):
        return 2**31
    return None


def _items(value: Any) -> Any:
    return value if isinstance(value, list | tuple | set | frozenset) else (value,)


def beyond_column(column: sa.ColumnElement[Any], value: Any) -> bool:
    """True when ``value`` (or an item of it) is an integer the column cannot hold."""
    bound = _integer_bound(column)
    if bound is None:
        return False
    return any(
        isinstance(item, int) and not isinstance(item, bool) and not -bound <= item < bound
        for item in _items(value)
    )


def filter_kind(column: sa.ColumnElement[Any], value: Any) -> str:
    """:func:`value_kind`, prefixed ``wide`` when an integer is beyond the column's range:
    such values bind as NUMERIC, so the comparison is exact (``?id=2**40`` matches no
    row, ``?severity:lt=2**40`` every one) instead of an error."""
    kind = value_kind(value)
    return f"wide {kind}" if kind != "null" and beyond_column(column, value) else kind


def check_value(column: sa.ColumnElement[Any], key: str, value: Any) -> None:
    """A 422 naming ``key`` for values PostgreSQL would refuse (else a DataError, a 500)."""
    for item in _items(value):
        if isinstance(item, str) and "\x00" in item:
            raise InvalidFilter(key, NUL_MESSAGE)


def table_column(table: sa.Table, name: str, key: str | None = None) -> sa.Column[Any]:
    column = table.c.get(name)
    if column is None:
        raise InvalidFilter(key or name, "unknown filter")
    return column


def column_filter(
    column: sa.ColumnElement[Any], op: str, kind: str, value: Any = None, name: str | None = None
) -> ColumnElement[bool]:
    """The condition for one filter.

    With ``name`` the value is a named bind parameter to be supplied at execution
    (the statement is cached by shape); without, ``value`` is bound into the statement.
    """
    if kind == "null":
        return column.is_not(None) if op == "ne" else column.is_(None)
    wide, _, kind = kind.rpartition(" ")
    value_type: Any = sa.Numeric() if wide else column.type
    if kind == "list":
        array_type = ARRAY(value_type)
        param = (
            sa.bindparam(name, type_=array_type)
            if name
            else sa.bindparam(None, list(value), type_=array_type)
        )
        if op == "ne":
            return column != sa.all_(param)
        result: ColumnElement[bool] = _COMPARE[op](column, sa.any_(param))
        return result
    param = (
        sa.bindparam(name, type_=value_type)
        if name
        else sa.bindparam(None, value, type_=value_type)
    )
    result = _COMPARE[op](column, param)
    return result


def build_conditions(
    table: sa.Table,
    filters: Mapping[str, Any] | None,
    consumer: FilterConsumer = None,
) -> list[ColumnElement[bool]]:
    """Conditions (values bound in) for a filters mapping; overrides from ``consumer``."""
    conditions: list[ColumnElement[bool]] = []
    for key, value in (filters or {}).items():
        name, op = split_key(key)
        override = getattr(consumer, f"filter_{name}", None) if consumer is not None else None
        if override is not None:
            result = override(op, value)
            if result is None:
                continue
            if isinstance(result, list | tuple):
                conditions.extend(result)
            else:
                conditions.append(result)
            continue
        column = table_column(table, name, key)
        check_value(column, key, value)
        conditions.append(column_filter(column, op, filter_kind(column, value), value))
    return conditions


#: bind parameter names of filter values, made once
_FILTER_NAMES = tuple(f"f{i}" for i in range(32))


def _filter_name(index: int) -> str:
    return _FILTER_NAMES[index] if index < len(_FILTER_NAMES) else f"f{index}"


class FilterShape(NamedTuple):
    """One filter without its value: part of a statement's cache key."""

    name: str
    op: str
    kind: str


@dataclass(slots=True)
class FilterPlan:
    """Filters split into their shape (hashable) and the values it binds, in order.

    The conditions name their parameters ``f0, f1...``: a statement built from them is
    compiled once per shape and run with :meth:`arguments`.
    """

    table: sa.Table
    shape: tuple[FilterShape, ...]
    values: tuple[Any, ...]

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions = []
        index = 0
        for filter in self.shape:
            bind = None
            if filter.kind != "null":
                bind = _filter_name(index)
                index += 1
            column = self.table.c[filter.name]
            conditions.append(column_filter(column, filter.op, filter.kind, name=bind))
        return conditions

    def arguments(self) -> dict[str, Any]:
        """The values by parameter name."""
        if len(self.values) <= len(_FILTER_NAMES):
            return dict(zip(_FILTER_NAMES, self.values, strict=False))
        return {_filter_name(i): value for i, value in enumerate(self.values)}


class _FilterColumn(NamedTuple):
    column: sa.Column[Any]
    bound: int | None
    """``2**(bits-1)`` of an integer column (None for other types)"""


_COLUMNS: weakref.WeakKeyDictionary[sa.Table, dict[str, _FilterColumn]] = (
    weakref.WeakKeyDictionary()
)
_OVERRIDES: weakref.WeakKeyDictionary[type, frozenset[str]] = weakref.WeakKeyDictionary()


def table_columns(table: sa.Table) -> dict[str, _FilterColumn]:
    """The table's columns by key, each with what filtering needs (read once a table)."""
    found = _COLUMNS.get(table)
    if found is None:
        found = _COLUMNS[table] = {
            column.key: _FilterColumn(column, _integer_bound(column)) for column in table.columns
        }
    return found


def overridden_filters(consumer: FilterConsumer) -> frozenset[str]:
    """Names whose filter ``consumer`` overrides (its ``filter_<name>`` methods), read
    once per class."""
    if consumer is None:
        return frozenset()
    cls = type(consumer)
    found = _OVERRIDES.get(cls)
    if found is None:
        prefix = "filter_"
        found = _OVERRIDES[cls] = frozenset(
            name[len(prefix) :]
            for name in dir(cls)
            if name.startswith(prefix) and callable(getattr(cls, name, None))
        )
    return found


def plan_filters(
    table: sa.Table, filters: Filters | None, consumer: FilterConsumer = None
) -> FilterPlan | None:
    """The plan of ``filters``; None when ``consumer`` overrides one of them (its
    conditions are the consumer's own: see :func:`build_conditions`)."""
    shape: list[FilterShape] = []
    values: list[Any] = []
    if not filters:
        return FilterPlan(table, (), ())
    columns = table_columns(table)
    overridden = overridden_filters(consumer)
    for key, value in filters.items():
        name, op = split_key(key) if ":" in key else (key, "eq")
        if name in overridden or (consumer is not None and _instance_override(consumer, name)):
            return None
        found = columns.get(name)
        if found is None:
            raise InvalidFilter(key)
        # the common values first: a string, an integer in the column's range
        kind_of = value.__class__
        if kind_of is str and "\x00" not in value:
            kind = "value"
        elif kind_of is int and (found.bound is None or -found.bound <= value < found.bound):
            kind = "value"
        else:
            check_value(found.column, key, value)
            kind = filter_kind(found.column, value)
        shape.append(FilterShape(name, op, kind))
        if kind != "null":
            values.append(list(value) if kind.endswith("list") else value)
    return FilterPlan(table, tuple(shape), tuple(values))


def _instance_override(consumer: FilterConsumer, name: str) -> bool:
    """A ``filter_<name>`` set on the instance rather than its class (rare)."""
    attributes: dict[str, Any] | None = getattr(consumer, "__dict__", None)
    return attributes is not None and f"filter_{name}" in attributes
