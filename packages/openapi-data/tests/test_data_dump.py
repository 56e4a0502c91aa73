from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from data_models import LegacyTask, Node, Owner, Severity, Task
from openapi.data.dump import dump
from openapi.data.validate import validated_schema

TASK = Task(
    id=UUID("0c8a1cd4-8f33-4e55-8d0b-9e1b0a3b1f11"),
    title="t",
    done=True,
    severity=2,
    tags=["x"],
    created=datetime(2024, 5, 1, 10, tzinfo=UTC),
    owner=Owner("Ann", "ann@example.com"),
    due=date(2024, 6, 1),
)


def test_dump_instance() -> None:
    assert dump(Task, TASK) == {
        "id": "0c8a1cd4-8f33-4e55-8d0b-9e1b0a3b1f11",
        "title": "t",
        "done": True,
        "severity": 2,
        "tags": ["x"],
        "created": "2024-05-01T10:00:00+00:00",
        "owner": {"name": "Ann", "email": "ann@example.com"},
        "due": "2024-06-01",
    }


def test_dump_round_trip() -> None:
    assert validated_schema(Task, dump(Task, TASK)) == TASK


def test_dump_dict_drops_unknown_keys_and_none() -> None:
    data = {"title": "t", "kind": Severity.low, "price": Decimal("1.5"), "junk": 1, "done": None}
    assert dump(LegacyTask, data) == {"title": "t", "kind": 1, "price": 1.5}


def test_dump_list_and_recursive() -> None:
    assert dump(list[Node], [Node("a", [Node("b")])]) == [
        {"name": "a", "children": [{"name": "b", "children": []}]}
    ]
