"""Constraint markers for ``typing.Annotated``: ``Annotated[str, MaxLength(64)]``.

Each marker is a small frozen dataclass; the compiler reads them once per type and the
JSON Schema generator renders them as the matching keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Number = int | float | Decimal


class Marker:
    """Base class of every constraint marker understood by openapi.data."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class MinLength(Marker):
    """Minimum length of a string, or minimum number of items of a container."""

    value: int


@dataclass(frozen=True, slots=True)
class MaxLength(Marker):
    """Maximum length of a string, or maximum number of items of a container."""

    value: int


@dataclass(frozen=True, slots=True)
class Ge(Marker):
    """The number must be greater than or equal to ``value``."""

    value: Number


@dataclass(frozen=True, slots=True)
class Gt(Marker):
    """The number must be greater than ``value``."""

    value: Number


@dataclass(frozen=True, slots=True)
class Le(Marker):
    """The number must be less than or equal to ``value``."""

    value: Number


@dataclass(frozen=True, slots=True)
class Lt(Marker):
    """The number must be less than ``value``."""

    value: Number


@dataclass(frozen=True, slots=True)
class MultipleOf(Marker):
    """The number must be a multiple of ``value``."""

    value: Number


@dataclass(frozen=True, slots=True)
class Pattern(Marker):
    """The string must contain a match of the regular expression (``re.search``)."""

    value: str


@dataclass(frozen=True, slots=True)
class Format(Marker):
    """JSON Schema format; ``email`` and ``uuid`` are also enforced on strings."""

    value: str


@dataclass(frozen=True, slots=True)
class Description(Marker):
    """Description rendered in the JSON Schema."""

    value: str


@dataclass(frozen=True, slots=True)
class TzAware(Marker):
    """A datetime must carry a timezone."""


@dataclass(frozen=True, slots=True)
class Precision(Marker):
    """Round a validated number to ``value`` decimal places."""

    value: int
