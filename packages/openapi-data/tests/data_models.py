"""Dataclasses shared by the openapi.data tests (module level: type hints resolve)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from openapi.data import Ge, Le, MaxLength, forbid_unknown
from openapi.data import fields as F


class Severity(enum.Enum):
    low = 1
    high = 2


@dataclass
class Owner:
    """The person owning a task."""

    name: str
    email: str = F.email_field(max_length=100)


@dataclass
class Task:
    id: UUID
    title: Annotated[str, MaxLength(64)]
    done: bool
    severity: Annotated[int, Ge(0), Le(5)]
    tags: list[str]
    created: datetime
    owner: Owner
    due: date | None = None


@dataclass
class LegacyTask:
    title: str = F.str_field(max_length=64, required=True, description="Title")
    done: bool = F.bool_field()
    severity: int = F.integer_field(min_value=0, max_value=5, ops=("gt", "le"))
    price: Decimal = F.decimal_field(min_value=0, precision=2)
    score: float = F.number_field(max_value=10)
    kind: Severity = F.enum_field(Severity)
    secret: str = F.str_field(hidden=True)
    ref: str = F.uuid_field()


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list)


@dataclass
class Cat:
    kind: Literal["cat"]
    lives: int = 9


@dataclass
class Dog:
    kind: Literal["dog"]
    good: bool = True


@dataclass
class Pets:
    pets: list[Cat | Dog]


@forbid_unknown
@dataclass
class Strict:
    a: int
