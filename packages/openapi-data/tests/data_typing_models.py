"""Models covering every supported kind of type hint (module level: hints resolve)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Generic, Literal, NewType, NotRequired, TypeVar
from uuid import UUID

from openapi.data import (
    Description,
    Ge,
    Gt,
    Le,
    Lt,
    MaxLength,
    MinLength,
    MultipleOf,
    Pattern,
    TzAware,
)
from openapi.data import fields as F
from typing_extensions import TypedDict

UserId = NewType("UserId", int)


class Color(enum.Enum):
    red = "r"
    green = "g"


class Point(TypedDict):
    x: int
    y: int
    label: NotRequired[str]


@dataclass
class Everything:
    """Every kind of field."""

    user: UserId
    code: Annotated[str, MinLength(2), MaxLength(4), Pattern(r"^[A-Z]+$")]
    ratio: Annotated[float, Gt(0), Lt(1)]
    even: Annotated[int, MultipleOf(2), Description("An even number")]
    mode: Literal["a", "b", 3]
    color: Color
    uid: UUID
    when: Annotated[datetime, TzAware()]
    day: date
    at: time
    span: timedelta
    price: Decimal
    pair: tuple[int, str]
    many: tuple[int, ...]
    unique: set[str]
    frozen: frozenset[int]
    scores: dict[str, int]
    point: Point
    either: int | str
    maybe: int | None
    or_none: str | None
    nested: list[list[int]] = field(default_factory=list)
    flag: bool = False


@dataclass
class Bounded:
    """Constraints only JSON Schema can express exactly the same way: for agreement tests."""

    count: Annotated[int, Ge(0), Le(100), MultipleOf(5)]
    ratio: Annotated[float, Gt(-1), Lt(1)]
    name: Annotated[str, MinLength(1), MaxLength(5), Pattern("^[a-z]")]
    mode: Literal["x", "y", 1]
    tags: Annotated[list[str], MaxLength(3)]
    scores: dict[str, int]
    pair: tuple[int, bool]
    either: int | str
    child: Child | None = None
    done: bool = False


@dataclass
class Child:
    value: Annotated[int, Lt(10)]
    note: str = ""


@dataclass
class Money:
    amount: Decimal = F.decimal_field(min_value=0, precision=2)
    step: Annotated[Decimal, MultipleOf(Decimal("0.05"))] = Decimal(0)
    half: Annotated[float, MultipleOf(0.5)] = 0.0
    when: Annotated[datetime, Ge(datetime(2000, 1, 1))] | None = None


class Kind(enum.Enum):
    circle = "circle"
    square = "square"


@dataclass
class Circle:
    kind: Literal[Kind.circle]
    radius: float


@dataclass
class Square:
    kind: Literal[Kind.square]
    side: float


@dataclass
class Drawing:
    shapes: list[Circle | Square]


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of results."""

    items: Annotated[list[T], MaxLength(2)]
    total: int
    first: T | None = None
