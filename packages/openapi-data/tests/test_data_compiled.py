"""The generated code: readable, debuggable, and honest about what the dataclass does."""

from __future__ import annotations

import dataclasses
import inspect
import traceback
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from data_models import Owner, Task
from openapi.data._compiled import ObjectDumper, ObjectLoader, compiled
from openapi.data.dump import dump
from openapi.data.fields import Validator, data_field, field_info
from openapi.data.json_schema import json_schema
from openapi.data.validate import ValidationErrors, validate, validated_schema


def test_generated_source_is_registered_in_linecache() -> None:
    loader = compiled.get(ObjectLoader(Task))
    source = inspect.getsource(loader)
    assert source.startswith("def _load_Task(_src, _pre, _errors):")
    assert "openapi.data generated loader" in loader.__code__.co_filename
    assert "def _dump_Task(_o):" in inspect.getsource(compiled.get(ObjectDumper(Task)))


def boom(value: Any) -> Any:
    raise RuntimeError("in post_process")


@dataclasses.dataclass
class Exploding:
    x: int = data_field(post_process=boom)


def positive(value: Any) -> Any:
    if value <= 0:
        raise ValueError("must be positive")
    return value * 2


@dataclasses.dataclass
class Refusing:
    x: int = data_field(post_process=positive)


def test_a_post_process_refusing_the_value_is_a_validation_error() -> None:
    assert validate(Refusing, {"x": 2}).data == {"x": 4}
    assert validate(Refusing, {"x": 0}).errors == [{"field": "x", "message": "must be positive"}]


def test_traceback_shows_the_generated_line() -> None:
    with pytest.raises(RuntimeError) as info:
        validated_schema(Exploding, {"x": 1})
    text = "".join(traceback.format_exception(info.value))
    assert "openapi.data generated validated_schema" in text
    assert "_post" in text  # the generated line itself is printed


@dataclasses.dataclass
class WithPostInit:
    a: int
    b: int = 0

    def __post_init__(self) -> None:
        self.b = self.a * 2


@dataclasses.dataclass(frozen=True, slots=True)
class FrozenSlots:
    a: int
    tags: tuple[str, ...] = ()


@dataclasses.dataclass
class NotInit:
    a: int
    computed: int = dataclasses.field(init=False, default=5)


def test_post_init_frozen_slots_and_init_false() -> None:
    assert validated_schema(WithPostInit, {"a": 2}).b == 4
    assert validated_schema(FrozenSlots, {"a": 1, "tags": ["x"]}) == FrozenSlots(1, ("x",))
    value = validated_schema(NotInit, {"a": 1, "computed": 9})
    assert (value.a, value.computed) == (1, 5)
    assert dump(NotInit, value) == {"a": 1, "computed": 5}
    assert dump(FrozenSlots, FrozenSlots(1, ("x",))) == {"a": 1, "tags": ["x"]}


class Upper(Validator):
    def __call__(self, field: dataclasses.Field[Any], value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError("must be text")
        return value.upper()

    def dump(self, value: Any) -> Any:
        return value.lower()

    def openapi(self, schema: dict[str, Any]) -> None:
        schema["x-case"] = "upper"


@dataclasses.dataclass
class Coded:
    code: str = data_field(validator=Upper(), required=True)


def test_validator_object() -> None:
    assert validated_schema(Coded, {"code": "ab"}).code == "AB"
    assert validate(Coded, {"code": 3}).errors == [{"field": "code", "message": "must be text"}]
    assert dump(Coded, Coded("AB")) == {"code": "ab"}
    assert json_schema(Coded)["$defs"]["Coded"]["properties"]["code"]["x-case"] == "upper"


def test_partial_validated_schema_reports_missing_required() -> None:
    with pytest.raises(ValidationErrors) as info:
        validated_schema(Owner, {"email": "a@b.co"}, strict=False)
    assert info.value.errors == [{"field": "name", "message": "required"}]


def test_multiple_with_list_fields() -> None:
    assert validate(Task, {"tags": "a"}, strict=False, multiple=True).data == {"tags": ["a"]}
    assert validate(Task, {"tags": ["a", "b"]}, strict=False, multiple=True).data == {
        "tags": ["a", "b"]
    }


def test_field_info_reads_postponed_optional() -> None:
    from data_typing_models import Everything

    infos = {f.name: field_info(f) for f in dataclasses.fields(Everything)}
    assert infos["user"].required
    assert not infos["maybe"].required
    assert not infos["or_none"].required
    assert not infos["flag"].required


class Record:
    """What asyncpg.Record offers: keys() and item access, no dict subclass."""

    def __init__(self, **data: Any) -> None:
        self._data = data

    def keys(self) -> Any:
        return self._data.keys()

    def __getitem__(self, key: str) -> Any:
        return self._data[key]


def test_dump_records() -> None:
    assert dump(list[Owner], [Record(name="a", email=None, extra=1)]) == [{"name": "a"}]


def test_error_message() -> None:
    exc = ValidationErrors([{"field": "a", "message": "required"}])
    assert str(exc) == "Invalid data: a: required"
    assert exc.message == "Invalid data"


def test_class_names_that_are_not_identifiers() -> None:
    odd = dataclasses.make_dataclass("My Task-1", [("a", int)])
    assert validated_schema(odd, {"a": 1}) == odd(1)
    assert dump(list[odd], [odd(2)]) == [{"a": 2}]


class ReadOnlyRow(Mapping[str, Any]):
    """A mapping that is not a dict, read in place by the dumper."""

    def __init__(self, **data: Any) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def test_dump_mappings_in_place() -> None:
    row = ReadOnlyRow(name="a", email="a@b.co", other=1)
    assert dump(Owner, row) == {"name": "a", "email": "a@b.co"}
    assert validated_schema(Owner, row) == Owner("a", "a@b.co")


@dataclasses.dataclass
class Unsupported:
    blob: bytes


def test_unsupported_types_are_named() -> None:
    with pytest.raises(TypeError, match=r"field Unsupported.blob: .*does not support.*bytes"):
        validate(Unsupported, {"blob": "x"})
