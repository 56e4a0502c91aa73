"""The tree a type hint is read into: a :class:`Node` per type, its :class:`Constraints`.

The compilers (loader, dumper, JSON Schema) only ever walk these nodes; type hints are
never inspected on the request path.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .markers import (
    Description,
    Format,
    Ge,
    Gt,
    Le,
    Lt,
    Marker,
    MaxLength,
    MinLength,
    MultipleOf,
    Pattern,
    Precision,
    TzAware,
)

# The Constraints field each marker with a value sets.
_MARKER_FIELDS: dict[type[Marker], str] = {
    MinLength: "min_length",
    MaxLength: "max_length",
    Ge: "ge",
    Gt: "gt",
    Le: "le",
    Lt: "lt",
    MultipleOf: "multiple_of",
    Pattern: "pattern",
    Format: "format",
    Description: "description",
    Precision: "precision",
}


@dataclass(frozen=True, slots=True)
class Constraints:
    """What the markers of a type (and the field helpers) ask of its values."""

    min_length: int | None = None
    max_length: int | None = None
    ge: Any = None
    gt: Any = None
    le: Any = None
    lt: Any = None
    multiple_of: Any = None
    pattern: str | None = None
    format: str | None = None
    description: str | None = None
    tz: bool = False
    precision: int | None = None
    enum_cls: type[enum.Enum] | None = None
    json: bool = False

    def with_marker(self, m: Marker) -> Constraints:
        if isinstance(m, TzAware):
            return replace(self, tz=True)
        name = next((_MARKER_FIELDS[t] for t in type(m).__mro__ if t in _MARKER_FIELDS), None)
        if name is None:
            return self
        value = getattr(m, "value")  # noqa: B009 - every marker of the table has one
        if isinstance(m, Pattern):
            re.compile(value)  # a bad pattern fails where it is declared
        return replace(self, **{name: value})

    def has_bounds(self) -> bool:
        return any(x is not None for x in (self.ge, self.gt, self.le, self.lt, self.multiple_of))


EMPTY = Constraints()


@dataclass(eq=False, slots=True)
class Node:
    """One type: ``kind`` names it; ``args`` are item types; ``cls`` a class."""

    kind: str
    nullable: bool = False
    args: tuple[Node, ...] = ()
    cls: Any = None
    values: tuple[Any, ...] = ()
    c: Constraints = EMPTY

    def with_markers(self, markers: Iterable[Marker]) -> Node:
        c = self.c
        for m in markers:
            c = c.with_marker(m)
        return replace(self, c=c) if c is not self.c else self


# Kinds whose values hold items: ``multiple=True`` never reads a list given to them as
# "any of".
CONTAINERS = frozenset(("list", "tuple", "set", "frozenset", "tuple_fixed", "dict"))
