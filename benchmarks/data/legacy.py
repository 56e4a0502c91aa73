"""Time aio-openapi 3.2.1 on the benchmarked shape; run by run.py inside its own venv.

No ``from __future__ import annotations`` here: 3.2.1 reads real type objects.

aio-openapi 3.2.1 ships ``openapi/__init__.py`` and would shadow the workspace's
namespace packages, so it never shares an interpreter with them. Prints one JSON line.
"""

import json
import sys
import timeit
from dataclasses import dataclass
from datetime import date, datetime
from typing import Union

from openapi.data import fields
from openapi.data.dump import dump
from openapi.data.validate import validated_schema

# 3.2.1 does not understand ``date | None``; spelled so that linters leave it alone.
OptionalDate = Union.__getitem__((date, type(None)))


@dataclass
class Owner:
    name: str = fields.str_field(required=True)
    email: str = fields.email_field(required=True)


@dataclass
class Task:
    id: int = fields.integer_field(required=True)
    title: str = fields.str_field(required=True, max_length=64)
    done: bool = fields.bool_field(required=True)
    severity: int = fields.integer_field(required=True, min_value=0, max_value=5)
    tags: list[str] = fields.data_field(required=True)
    created: datetime = fields.date_time_field(required=True)
    owner: Owner = fields.data_field(required=True)
    due: OptionalDate = fields.date_field()


def best(fn, rounds: int, target: float) -> float:
    number = 1
    while timeit.timeit(fn, number=number) < target / 5:
        number *= 2
    return min(timeit.timeit(fn, number=number) / number for _ in range(rounds))


def main() -> None:
    payload = json.loads(sys.argv[1])
    rounds = int(sys.argv[2])
    task = validated_schema(Task, payload)
    assert task.owner.email == payload["owner"]["email"], task
    load = best(lambda: validated_schema(Task, payload), rounds, 0.05)
    out = best(lambda: dump(Task, task), rounds, 0.05)
    print(json.dumps({"load": load, "dump": out}))


if __name__ == "__main__":
    main()
