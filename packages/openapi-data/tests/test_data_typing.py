from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import jsonschema
from data_typing_models import Color, Everything
from openapi.data.dump import dump
from openapi.data.json_schema import json_schema
from openapi.data.validate import validate, validated_schema

GOOD: dict[str, Any] = {
    "user": 7,
    "code": "AB",
    "ratio": 0.5,
    "even": 4,
    "mode": 3,
    "color": "g",
    "uid": "12345678-1234-5678-1234-567812345678",
    "when": "2024-01-02T03:04:05+02:00",
    "day": "2024-01-02",
    "at": "10:11:12.5",
    "span": "P1DT2H",
    "price": 1.25,
    "pair": [1, "x"],
    "many": [1, 2, 3],
    "unique": ["a", "a", "b"],
    "frozen": [1],
    "scores": {"a": 1},
    "point": {"x": 1, "y": 2},
    "either": "text",
    "maybe": None,
    "or_none": None,
}


def test_everything_loads() -> None:
    value = validated_schema(Everything, GOOD)
    assert value.user == 7
    assert value.mode == 3
    assert value.color is Color.green
    assert value.uid == UUID("12345678-1234-5678-1234-567812345678")
    assert value.when == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert value.day == date(2024, 1, 2)
    assert value.at == time(10, 11, 12, 500000)
    assert value.span == timedelta(days=1, hours=2)
    assert value.price == Decimal("1.25")
    assert value.pair == (1, "x")
    assert value.many == (1, 2, 3)
    assert value.unique == {"a", "b"}
    assert value.frozen == frozenset({1})
    assert value.point == {"x": 1, "y": 2}
    assert value.either == "text"
    assert value.nested == [] and value.flag is False


def test_everything_round_trips() -> None:
    value = validated_schema(Everything, GOOD)
    data = dump(Everything, value)
    assert data["span"] == "P1DT2H"
    assert data["when"] == "2024-01-02T03:04:05+02:00"
    assert data["color"] == "g"
    assert data["pair"] == [1, "x"]
    assert sorted(data["unique"]) == ["a", "b"]
    assert "maybe" not in data
    assert validated_schema(Everything, data) == value
    schema = json_schema(Everything)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_everything_errors() -> None:
    bad = {
        **GOOD,
        "user": "7",
        "code": "abcde",
        "ratio": 1,
        "even": 3,
        "mode": "c",
        "color": "blue",
        "uid": "nope",
        "when": "2024-01-02T03:04:05",
        "day": "2024-13-01",
        "at": "25:00",
        "span": "1 day",
        "price": "1.5",
        "pair": [1, 2, 3],
        "many": [1, "x"],
        "unique": "ab",
        "scores": {"a": "1"},
        "point": {"x": 1},
        "either": 1.5,
        "maybe": "x",
        "or_none": 1,
        "nested": [[1], ["x"]],
        "flag": "true",
    }
    assert validate(Everything, bad).errors == [
        {"field": "user", "message": "expected an integer"},
        {"field": "code", "message": "must be at most 4 characters long"},
        {"field": "ratio", "message": "must be less than 1"},
        {"field": "even", "message": "must be a multiple of 2"},
        {"field": "mode", "message": "must be one of: 'a', 'b', 3"},
        {"field": "color", "message": "must be one of: 'r', 'g'"},
        {"field": "uid", "message": "not a valid UUID"},
        {"field": "when", "message": "timezone required"},
        {"field": "day", "message": "not a valid date"},
        {"field": "at", "message": "not a valid time"},
        {"field": "span", "message": "not a valid duration"},
        {"field": "price", "message": "expected a number"},
        {"field": "pair", "message": "expected 2 items"},
        {"field": "many.1", "message": "expected an integer"},
        {"field": "unique", "message": "expected a list"},
        {"field": "scores.a", "message": "expected an integer"},
        {"field": "point.y", "message": "required"},
        {"field": "either", "message": "does not match any of the allowed types"},
        {"field": "maybe", "message": "expected an integer"},
        {"field": "or_none", "message": "expected a string"},
        {"field": "nested.1.0", "message": "expected an integer"},
        {"field": "flag", "message": "expected a boolean"},
    ]


def test_enum_by_name_and_multiple_coercion() -> None:
    assert validate(Everything, {"color": "red"}, strict=False).data == {"color": Color.red}
    query = {"user": "3", "ratio": "0.25", "span": "60", "color": ["r", "green"], "mode": "3"}
    assert validate(Everything, query, strict=False, multiple=True).data == {
        "user": 3,
        "ratio": 0.25,
        "span": timedelta(seconds=60),
        "color": [Color.red, Color.green],
        "mode": 3,
    }


def test_union_order_prefers_exact_type() -> None:
    assert validate(int | str, "1").data == "1"
    assert validate(int | str, 1).data == 1
    assert validate(float | int, 1).data == 1 and isinstance(validate(float | int, 1).data, int)
    assert validate(float | str, 1).data == 1.0
    assert validate(int | bool, True).data is True
    assert validate(list[int] | int, [1]).data == [1]


def test_datetime_naive_and_aware() -> None:
    assert validate(datetime, "2024-01-01T00:00:00Z").data == datetime(2024, 1, 1, tzinfo=UTC)
    assert validate(datetime, "2024-01-01 10:00").data == datetime(2024, 1, 1, 10)
    assert validate(datetime, "yesterday").errors == [
        {"field": "", "message": "not a valid datetime"}
    ]


def test_dict_keys_are_located() -> None:
    assert validate(dict[str, list[int]], {"a": [1, "x"], "b": 2}).errors == [
        {"field": "a.1", "message": "expected an integer"},
        {"field": "b", "message": "expected a list"},
    ]
    assert validate(dict[int, str], {"1": "a"}).data == {1: "a"}
    assert validate(dict[int, str], {"x": "a"}).errors == [
        {"field": "x", "message": "invalid key: expected an integer"}
    ]


def test_value_dumps() -> None:
    assert dump(list[Color], [Color.red]) == ["r"]
    assert dump(dict[str, Decimal], {"a": Decimal("1.5")}) == {"a": 1.5}
    assert dump(tuple[int, date], (1, date(2020, 1, 2))) == [1, "2020-01-02"]
    assert dump(int | datetime, datetime(2020, 1, 1)) == "2020-01-01T00:00:00"
    assert dump(timedelta, timedelta(seconds=90)) == "PT1M30S"
    assert dump(Any, {"when": date(2020, 1, 1), "n": [Color.green]}) == {
        "when": "2020-01-01",
        "n": ["g"],
    }


def test_schema_of_everything() -> None:
    props = json_schema(Everything)["$defs"]["Everything"]["properties"]
    assert props["user"] == {"type": "integer"}
    assert props["code"] == {
        "type": "string",
        "minLength": 2,
        "maxLength": 4,
        "pattern": "^[A-Z]+$",
    }
    assert props["ratio"] == {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
    assert props["even"] == {"type": "integer", "multipleOf": 2, "description": "An even number"}
    assert props["mode"] == {"enum": ["a", "b", 3]}
    assert props["color"] == {"enum": ["r", "g"]}
    assert props["span"] == {"type": "string", "format": "duration"}
    assert props["pair"] == {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "items": False,
    }
    assert props["either"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert props["maybe"] == {"type": ["integer", "null"]}
    assert props["point"] == {"$ref": "#/$defs/Point"}
    assert props["nested"] == {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer"}},
    }
    point = json_schema(Everything)["$defs"]["Point"]
    assert point["required"] == ["x", "y"]


def test_durations_with_years_and_months() -> None:
    assert validate(timedelta, "P1Y4M1D").data == timedelta(days=365 + 120 + 1)
    assert validate(timedelta, "-PT1.5S").data == -timedelta(seconds=1.5)
    for bad in ("P", "PT", "P1DT", "P1.5D", "1D", "P1S"):
        assert validate(timedelta, bad).errors, bad


def test_unhashable_annotated_metadata_is_ignored() -> None:
    from typing import Annotated

    hint = Annotated[int, {"not": "a marker"}]
    assert validate(list[hint], [1, "x"]).errors == [
        {"field": "1", "message": "expected an integer"}
    ]
    assert dump(hint, 3) == 3


def test_arithmetic_limits_are_errors() -> None:
    from data_typing_models import Money

    assert validate(Money, {"amount": 1e308}).errors == [
        {"field": "amount", "message": "number out of range"}
    ]
    assert validate(Money, {"step": 1e308}).errors == [
        {"field": "step", "message": "must be a multiple of 0.05"}
    ]
    assert validate(Money, {"amount": 1.255, "step": 0.15, "half": 1.5}).data == {
        "amount": Decimal("1.26"),
        "step": Decimal("0.15"),
        "half": 1.5,
    }
    assert validate(Money, {"when": "2024-01-01T00:00:00+00:00"}).errors == [
        {"field": "when", "message": "not comparable with the bounds"}
    ]
    assert validate(Money, {"when": "1999-01-01T00:00:00"}).errors == [
        {"field": "when", "message": "must be greater than or equal to 2000-01-01 00:00:00"}
    ]


def test_literal_of_enum_members() -> None:
    from typing import Literal

    hint = Literal[Color.red]
    assert validate(hint, "r").data is Color.red
    assert validate(hint, "g").errors == [{"field": "", "message": "must be 'r'"}]
    assert dump(hint, Color.red) == "r"
    assert json_schema(hint)["const"] == "r"


def test_enum_tagged_union() -> None:
    from data_typing_models import Circle, Drawing, Kind, Square

    data = {"shapes": [{"kind": "square", "side": 2}, {"kind": "circle", "radius": 1}]}
    drawing = validated_schema(Drawing, data)
    assert drawing.shapes == [Square(Kind.square, 2.0), Circle(Kind.circle, 1.0)]
    assert dump(Drawing, drawing) == {
        "shapes": [{"kind": "square", "side": 2.0}, {"kind": "circle", "radius": 1.0}]
    }
    assert validate(Drawing, {"shapes": [{"kind": "oval"}]}).errors == [
        {"field": "shapes.0.kind", "message": "must be one of: 'circle', 'square'"}
    ]
    mapping = json_schema(Drawing)["$defs"]["Drawing"]["properties"]["shapes"]["items"]
    assert mapping["discriminator"]["mapping"] == {
        "circle": "#/$defs/Circle",
        "square": "#/$defs/Square",
    }


def test_generic_dataclasses() -> None:
    from data_models import Owner
    from data_typing_models import Page

    page = validated_schema(Page[Owner], {"items": [{"name": "a"}], "total": 1})
    assert isinstance(page, Page) and page.items == [Owner("a")] and page.first is None
    assert validate(Page[Owner], {"items": [{"name": 1}] * 3, "total": "x"}).errors == [
        {"field": "items", "message": "must have at most 2 items"},
        {"field": "total", "message": "expected an integer"},
    ]
    assert validate(Page[int], {"items": [1], "total": 1, "first": 1}).data == {
        "items": [1],
        "total": 1,
        "first": 1,
    }
    assert dump(Page[Owner], page) == {"items": [{"name": "a"}], "total": 1}
    schema = json_schema(Page[Owner])
    assert schema["$ref"] == "#/$defs/Page_Owner"
    page_schema = schema["$defs"]["Page_Owner"]
    assert page_schema["description"] == "One page of results."
    assert page_schema["properties"]["items"]["items"] == {"$ref": "#/$defs/Owner"}
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json_schema(list[Page[int]])["$defs"]["Page_int"]["properties"]["first"] == {
        "type": ["integer", "null"],
        "default": None,
    }
