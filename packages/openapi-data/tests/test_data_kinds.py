"""A kind is one class registered beside it: loading, dumping and JSON Schema follow,
inside containers, optionals and unions too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from openapi.data._dump_emitter import DUMPS, DumpEmitter
from openapi.data._invalid import Invalid
from openapi.data._kind import Kind, register
from openapi.data._load_emitter import LOADS, LoadEmitter
from openapi.data._nodes import Node
from openapi.data._schema_writer import SCHEMAS, SchemaRegistry
from openapi.data.dump import dump
from openapi.data.json_schema import json_schema
from openapi.data.validate import ValidationErrors, validate, validated_schema

POINT_TEXT = re.compile(r"(-?\d+),(-?\d+)")


@dataclass(frozen=True)
class Point:
    """Not a dataclass kind: the test registers a kind of its own for it."""

    x: int
    y: int


def parse_point(value: Any) -> Point:
    m = POINT_TEXT.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise Invalid("not a point")
    return Point(int(m[1]), int(m[2]))


def point_text(point: Point) -> str:
    return f"{point.x},{point.y}"


@register
class PointKind(Kind):
    """Points as ``"x,y"`` text."""

    names = ("test_point",)
    classes = (Point,)

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        e.b.line(f"{dst} = {e.b.const(parse_point, 'point')}({src})")

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"{e.b.const(point_text, 'point_text')}({v})"

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (Point,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {"type": "string", "pattern": POINT_TEXT.pattern}


@dataclass
class Route:
    start: Point
    stops: list[Point] = field(default_factory=list)
    end: Point | None = None
    tag: Point | int = 0


def test_a_registered_kind_loads_everywhere() -> None:
    route = validated_schema(Route, {"start": "1,2", "stops": ["3,4"], "end": None, "tag": "5,6"})
    assert route == Route(Point(1, 2), [Point(3, 4)], None, Point(5, 6))
    assert validated_schema(Route, {"start": "0,0", "tag": 7}).tag == 7
    assert validate(Route, {"stops": "1,1"}, strict=False, multiple=True).data == {
        "stops": [Point(1, 1)]
    }


def test_a_registered_kind_reports_errors_at_their_place() -> None:
    with pytest.raises(ValidationErrors) as info:
        validated_schema(Route, {"start": "here", "stops": ["1,2", 3]})
    assert info.value.errors == [
        {"field": "start", "message": "not a point"},
        {"field": "stops.1", "message": "not a point"},
    ]


def test_a_registered_kind_dumps_everywhere() -> None:
    route = Route(Point(1, 2), [Point(3, 4)], Point(5, 6), Point(7, 8))
    expected = {"start": "1,2", "stops": ["3,4"], "end": "5,6", "tag": "7,8"}
    assert dump(Route, route) == expected
    assert dump(Route, {"start": Point(1, 2), "stops": [], "tag": 3}) == {
        "start": "1,2",
        "stops": [],
        "tag": 3,
    }


def test_a_registered_kind_is_documented() -> None:
    props = json_schema(Route)["$defs"]["Route"]["properties"]
    point = {"type": "string", "pattern": POINT_TEXT.pattern}
    assert props["start"] == point
    assert props["stops"] == {"type": "array", "items": point}
    assert props["end"] == {
        "type": ["string", "null"],
        "pattern": POINT_TEXT.pattern,
        "default": None,
    }
    assert props["tag"]["anyOf"] == [point, {"type": "integer"}]


def test_every_kind_serves_the_three_passes() -> None:
    assert set(LOADS) == set(DUMPS) == set(SCHEMAS)
    builtin = {"any", "none", "str", "int", "float", "bool", "decimal", "uuid", "datetime"}
    builtin |= {"date", "time", "timedelta", "enum", "literal", "list", "tuple", "set"}
    builtin |= {"frozenset", "tuple_fixed", "dict", "dataclass", "typeddict", "union"}
    assert builtin <= set(LOADS)
