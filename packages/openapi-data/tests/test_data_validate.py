from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from data_models import Cat, Dog, LegacyTask, Node, Owner, Pets, Severity, Strict, Task
from openapi.data import forbid_unknown
from openapi.data.fields import data_field, json_field, number_field, str_field
from openapi.data.json_schema import json_schema
from openapi.data.validate import ValidatedData, ValidationErrors, validate, validated_schema

UID = "0c8a1cd4-8f33-4e55-8d0b-9e1b0a3b1f11"

GOOD = {
    "id": UID,
    "title": "Write tests",
    "done": False,
    "severity": 3,
    "tags": ["a", "b"],
    "created": "2024-05-01T10:00:00+00:00",
    "owner": {"name": "Ann", "email": "ann@example.com"},
}


def test_validated_schema_builds_instances() -> None:
    task = validated_schema(Task, GOOD)
    assert task == Task(
        id=UUID(UID),
        title="Write tests",
        done=False,
        severity=3,
        tags=["a", "b"],
        created=datetime(2024, 5, 1, 10, tzinfo=UTC),
        owner=Owner(name="Ann", email="ann@example.com"),
        due=None,
    )


def test_validate_returns_only_present_keys() -> None:
    result = validate(LegacyTask, {"title": "x", "severity": 2})
    assert isinstance(result, ValidatedData)
    assert result == ({"title": "x", "severity": 2}, [])


def test_every_error_is_reported_with_dotted_paths() -> None:
    bad = {
        **GOOD,
        "title": "x" * 65,
        "done": 1,
        "severity": 6,
        "tags": ["ok", 3, "fine", None],
        "owner": {"email": "nope"},
        "due": "tomorrow",
    }
    result = validate(Task, bad)
    assert result.data is None
    assert result.errors == [
        {"field": "title", "message": "must be at most 64 characters long"},
        {"field": "done", "message": "expected a boolean"},
        {"field": "severity", "message": "must be less than or equal to 5"},
        {"field": "tags.1", "message": "expected a string"},
        {"field": "tags.3", "message": "expected a string"},
        {"field": "owner.name", "message": "required"},
        {"field": "owner.email", "message": "not a valid email address"},
        {"field": "due", "message": "not a valid date"},
    ]


def test_raise_on_errors() -> None:
    with pytest.raises(ValidationErrors) as info:
        validate(Task, {}, raise_on_errors=True)
    assert info.value.message == "Invalid data"
    assert [e["field"] for e in info.value.errors] == [
        "id",
        "title",
        "done",
        "severity",
        "tags",
        "created",
        "owner",
    ]
    with pytest.raises(ValidationErrors):
        validated_schema(Task, {**GOOD, "severity": -1})


def test_not_an_object() -> None:
    assert validate(Task, [1]).errors == [{"field": "", "message": "expected an object"}]


def test_numbers() -> None:
    assert validate(LegacyTask, {"title": "t", "score": 3}).data == {"title": "t", "score": 3.0}
    assert validate(LegacyTask, {"title": "t", "score": 2.5}).data["score"] == 2.5
    assert validate(LegacyTask, {"title": "t", "price": 1.255}).data["price"] == Decimal("1.26")
    assert validate(LegacyTask, {"title": "t", "severity": True}).errors == [
        {"field": "severity", "message": "expected an integer"}
    ]
    assert validate(LegacyTask, {"title": "t", "score": "1"}).errors == [
        {"field": "score", "message": "expected a number"}
    ]


def test_optional_and_defaults() -> None:
    assert validate(Task, {**GOOD, "due": None}).data["due"] is None
    assert validate(Task, {**GOOD, "due": "2024-02-29"}).data["due"] == date(2024, 2, 29)
    # data_field() fields are optional unless required=True
    assert validate(LegacyTask, {}).errors == [{"field": "title", "message": "required"}]
    # their None default makes null valid, except for required=True fields
    assert validate(LegacyTask, {"title": "t", "severity": None}).errors == []
    assert validate(LegacyTask, {"title": None}).errors == [
        {"field": "title", "message": "expected a string"}
    ]


def test_partial_update() -> None:
    assert validate(Task, {"title": "new"}, strict=False) == ({"title": "new"}, [])
    assert validated_schema(LegacyTask, {"severity": 1}, strict=False).severity == 1


def test_multiple_coerces_query_strings() -> None:
    result = validate(
        LegacyTask,
        {"severity": ["1", "2"], "severity:gt": "0", "done": "true", "title": "x", "other": "1"},
        multiple=True,
    )
    assert result == ({"title": "x", "done": True, "severity": [1, 2], "severity:gt": 0}, [])
    assert validate(LegacyTask, {"severity:le": "x"}, multiple=True, strict=False).errors == [
        {"field": "severity:le", "message": "expected an integer"}
    ]


def test_filter_ops_without_multiple() -> None:
    assert validate(LegacyTask, {"title": "x", "severity:gt": 9}).errors == [
        {"field": "severity:gt", "message": "must be less than or equal to 5"}
    ]


def test_enum_by_value_and_name() -> None:
    assert validate(LegacyTask, {"title": "t", "kind": 2}).data["kind"] is Severity.high
    assert validate(LegacyTask, {"title": "t", "kind": "low"}).data["kind"] is Severity.low
    assert validate(LegacyTask, {"title": "t", "kind": "x"}).errors == [
        {"field": "kind", "message": "must be one of: 1, 2"}
    ]


def test_uuid_on_str_field() -> None:
    assert validate(LegacyTask, {"title": "t", "ref": UID.upper()}).data["ref"] == UID
    assert validate(LegacyTask, {"title": "t", "ref": "nope"}).errors == [
        {"field": "ref", "message": "not a valid UUID"}
    ]


def test_recursive_dataclass() -> None:
    tree = validated_schema(Node, {"name": "a", "children": [{"name": "b", "children": []}]})
    assert tree == Node("a", [Node("b")])
    assert validate(Node, {"name": "a", "children": [{"name": 1}]}).errors == [
        {"field": "children.0.name", "message": "expected a string"}
    ]


def test_discriminated_union() -> None:
    pets = validated_schema(Pets, {"pets": [{"kind": "dog"}, {"kind": "cat", "lives": 3}]})
    assert pets.pets == [Dog("dog"), Cat("cat", 3)]
    assert validate(Pets, {"pets": [{"kind": "cow"}, {"kind": "cat", "lives": "x"}]}).errors == [
        {"field": "pets.0.kind", "message": "must be one of: 'cat', 'dog'"},
        {"field": "pets.1.lives", "message": "expected an integer"},
    ]


def test_forbid_unknown() -> None:
    assert validate(Strict, {"a": 1, "b": 2}).errors == [{"field": "b", "message": "unknown field"}]
    assert validate(Task, {**GOOD, "extra": 1}).errors == []


def test_plain_types() -> None:
    assert validate(list[int], [1, 2]) == ([1, 2], [])
    assert validate(list[int], [1, "x"]).errors == [
        {"field": "1", "message": "expected an integer"}
    ]
    assert validated_schema(dict[str, int], {"a": 1}) == {"a": 1}
    assert validate(int, "x").errors == [{"field": "", "message": "expected an integer"}]


def test_mapping_input() -> None:
    class Record:
        def __init__(self, data: dict[str, object]) -> None:
            self._data = data

        def keys(self) -> object:
            return self._data.keys()

        def __getitem__(self, key: str) -> object:
            return self._data[key]

    assert validated_schema(Owner, Record({"name": "x"})) == Owner("x", None)  # type: ignore[arg-type]


@dataclass
class Inner:
    a: int


@forbid_unknown
@dataclass
class StrictInner:
    b: int


@dataclass
class Outer:
    inner: Inner
    strict: StrictInner
    numbers: list[float] = data_field(items=number_field(min_value=0))
    payload: dict[str, Any] = json_field()


def test_nested_forbid_items_and_json_field() -> None:
    data = {"inner": {"a": 1, "x": 2}, "strict": {"b": 1, "y": 2}, "numbers": [1, -1]}
    assert validate(Outer, data).errors == [
        {"field": "strict.y", "message": "unknown field"},
        {"field": "numbers.1", "message": "must be greater than or equal to 0"},
    ]
    result = validate(Outer, {"payload": '{"a": [1]}'}, strict=False)
    assert result.data == {"payload": {"a": [1]}}
    assert validate(Outer, {"payload": "[1]"}, strict=False).errors == [
        {"field": "payload", "message": "expected an object"}
    ]
    schema = json_schema(Outer)["$defs"]["Outer"]["properties"]["numbers"]
    assert schema["items"] == {"type": "number", "minimum": 0}


def test_length_messages_read_well() -> None:
    @dataclass
    class Named:
        name: str = str_field(min_length=1, max_length=2)
        code: str = str_field(max_length=1)

    errors = validate(Named, {"name": "", "code": "ab"}).errors
    assert errors == [
        {"field": "name", "message": "must be at least 1 character long"},
        {"field": "code", "message": "must be at most 1 character long"},
    ]
    errors = validate(Named, {"name": "abc"}).errors
    assert errors == [{"field": "name", "message": "must be at most 2 characters long"}]
