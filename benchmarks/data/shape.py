"""The benchmarked shape: one stdlib dataclass that every library reads.

Constraints are stacked in ``Annotated`` so each library enforces the same ones from
the same class: openapi.data markers, pydantic ``Field`` and msgspec ``Meta`` (each
library ignores the others' metadata). mashumaro enforces none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

import msgspec
import pydantic
from openapi.data import Format, Ge, Le, MaxLength

EMAIL = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"

Title = Annotated[str, MaxLength(64), pydantic.Field(max_length=64), msgspec.Meta(max_length=64)]
Severity = Annotated[int, Ge(0), Le(5), pydantic.Field(ge=0, le=5), msgspec.Meta(ge=0, le=5)]
Email = Annotated[str, Format("email"), pydantic.Field(pattern=EMAIL), msgspec.Meta(pattern=EMAIL)]


@dataclass
class Owner:
    name: str
    email: Email


@dataclass
class Task:
    id: int
    title: Title
    done: bool
    severity: Severity
    tags: list[str]
    created: datetime
    owner: Owner
    due: date | None = None


PAYLOAD = {
    "id": 1234,
    "title": "Benchmark the compiled validators",
    "done": False,
    "severity": 3,
    "tags": ["perf", "data", "bench"],
    "created": "2024-05-01T10:20:30+00:00",
    "owner": {"name": "Ann", "email": "ann@example.com"},
    "due": "2024-06-01",
}
