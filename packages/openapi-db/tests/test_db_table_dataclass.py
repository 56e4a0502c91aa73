"""dataclass_from_table over every supported column type, through openapi.data."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator, FormatChecker
from openapi.data import fields
from openapi.data.dump import dump
from openapi.data.fields import field_info
from openapi.data.json_schema import json_schema
from openapi.data.validate import validate
from openapi.db import dataclass_from_table
from sqlalchemy.dialects import postgresql


class Color(enum.Enum):
    red = "R"
    blue = "B"


metadata = sa.MetaData()
everything = sa.Table(
    "everything",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("flag", sa.Boolean, nullable=False, default=False),
    sa.Column("small", sa.SmallInteger, nullable=False),
    sa.Column("big", sa.BigInteger),
    sa.Column("amount", sa.Numeric(10, 2), nullable=False, doc="Money"),
    sa.Column("ratio", sa.Float),
    sa.Column("name", sa.String(8), nullable=False, info={"min_length": 2}),
    sa.Column("body", sa.Text),
    sa.Column("email", sa.String(64), info={"data_field": fields.email_field}),
    sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("naive", sa.DateTime),
    sa.Column("day", sa.Date),
    sa.Column("clock", sa.Time),
    sa.Column("span", sa.Interval),
    sa.Column("color", sa.Enum(Color)),
    sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
    sa.Column("doc", sa.JSON),
    sa.Column("docb", postgresql.JSONB, default=dict),
    sa.Column("tags", postgresql.ARRAY(sa.String(10))),
    sa.Column("scores", postgresql.ARRAY(sa.Integer)),
    sa.Column("uid", sa.Uuid, nullable=False, default=uuid.uuid4),
    sa.Column("pg_uid", postgresql.UUID(as_uuid=True)),
    sa.Column("text_uid", postgresql.UUID(as_uuid=False)),
    sa.Column("blob", sa.LargeBinary),
)


def test_types_and_required() -> None:
    Everything = dataclass_from_table("Everything", everything, required=True)
    hints = {f.name: f.type for f in dataclasses.fields(Everything)}
    assert hints["flag"] is bool
    assert hints["small"] is int
    assert hints["big"] == int | None
    assert hints["amount"] is decimal.Decimal
    assert hints["ratio"] == float | None
    # NOT NULL with a server default: optional in an add schema, yet never null
    assert hints["at"] == datetime.datetime
    assert hints["naive"] == datetime.datetime | None
    assert hints["day"] == datetime.date | None
    assert hints["clock"] == datetime.time | None
    assert hints["span"] == datetime.timedelta | None
    assert hints["color"] == Color | None
    assert hints["doc"] is Any
    assert hints["tags"] == list[str] | None
    assert hints["scores"] == list[int] | None
    assert hints["pg_uid"] == uuid.UUID | None
    assert hints["text_uid"] == str | None
    assert hints["blob"] == str | None
    required = {f.name for f in dataclasses.fields(Everything) if field_info(f).required}
    # id: autoincrement; at: server default; uid and flag have defaults only with default=
    assert required == {"flag", "small", "amount", "name", "uid"}
    amount = next(f for f in dataclasses.fields(Everything) if f.name == "amount")
    assert field_info(amount).description == "Money"


def test_validation_through_the_generated_dataclass() -> None:
    Everything = dataclass_from_table("Everything", everything, required=True, default=True)
    blob = base64.b64encode(b"\x00\x01").decode()
    good = {
        "small": 3,
        "amount": 1.5,
        "name": "abc",
        "email": "a@b.co",
        "at": "2024-01-01T10:00:00+00:00",
        "day": "2024-01-02",
        "clock": "10:11:12",
        "span": "PT1H",
        "color": "R",
        "mood": "sad",
        "doc": {"x": [1]},
        "tags": ["a"],
        "scores": [1, 2],
        "pg_uid": str(uuid.uuid4()),
        "blob": blob,
    }
    result = validate(Everything, good)
    assert result.errors == []
    data = result.data
    assert data["color"] is Color.red
    assert data["span"] == datetime.timedelta(hours=1)
    assert data["blob"] == b"\x00\x01"
    assert isinstance(data["pg_uid"], uuid.UUID)
    bad = {
        **good,
        "small": 40000,
        "name": "x" * 9,
        "email": "nope",
        "color": "green",
        "mood": "angry",
        "blob": "%%%",
    }
    errors = {e["field"] for e in validate(Everything, bad).errors}
    assert errors == {"small", "name", "email", "color", "mood", "blob"}
    assert {e["field"] for e in validate(Everything, {**good, "name": "a"}).errors} == {"name"}
    # defaults from the columns
    instance = Everything(small=1, amount=decimal.Decimal(1), name="ab")
    assert instance.flag is False
    assert isinstance(instance.uid, uuid.UUID)
    assert instance.docb == {}
    assert dump(Everything, {"blob": b"\x00\x01", "color": Color.blue})["blob"] == blob


def test_row_schema_requires_every_column() -> None:
    Row = dataclass_from_table("Row", everything, row=True, required=False, default=True)
    document = json_schema(Row)["$defs"]["Row"]
    # a row always carries its NOT NULL columns, whatever their defaults (an "add"
    # schema leaves id, at, flag and uid optional); a null one is dumped without its key
    not_null = [c.key for c in everything.columns if not c.nullable]
    assert document["required"] == not_null
    properties = document["properties"]
    for column in everything.columns:
        if isinstance(column.type, sa.JSON):
            continue  # JSON null is a value
        assert _allows_null(properties[column.key]) == column.nullable, column.key
    assert {e["field"] for e in validate(Row, {}).errors} == set(not_null)
    with_nulls = {name: None for name in properties}
    assert {e["field"] for e in validate(Row, with_nulls).errors} == set(not_null)


def test_include_exclude_ops_and_schema() -> None:
    Small = dataclass_from_table(
        "Small", everything, include=("id", "name", "big"), exclude=("id",), ops={"big": ("gt",)}
    )
    assert [f.name for f in dataclasses.fields(Small)] == ["big", "name"]
    big = dataclasses.fields(Small)[0]
    assert field_info(big).ops == ("gt",)
    assert not field_info(big).required
    schema = json_schema(Small)["$defs"]["Small"]
    assert schema["properties"]["name"]["maxLength"] == 8
    assert validate(Small, {"big:gt": "3"}, multiple=True).data == {"big:gt": 3}


def test_field_names_are_plain_strings() -> None:
    # SQLAlchemy names columns with a str subclass (quoted_name): field names and the
    # document must be plain str, or YAML (openapi-cli spec -o spec.yaml) refuses them
    Row = dataclass_from_table("Row", everything, row=True)
    assert {type(f.name) for f in dataclasses.fields(Row)} == {str}
    text = yaml.safe_dump(json_schema(Row))
    assert "amount:" in text


def test_unsupported_type() -> None:
    table = sa.Table("odd", sa.MetaData(), sa.Column("x", postgresql.INET))
    with pytest.raises(NotImplementedError):
        dataclass_from_table("Odd", table)


async def test_round_trip_through_postgresql(pg_url: str) -> None:
    from openapi.db import CrudDB
    from openapi.db.testing import create_tables, drop_tables

    Everything = dataclass_from_table("Everything", everything, required=True, default=True)
    body = {
        "small": 3,
        "amount": 1.25,
        "name": "abc",
        "at": "2024-01-01T10:00:00+00:00",
        "day": "2024-01-02",
        "clock": "10:11:12",
        "span": "PT1H30M",
        "color": "R",
        "mood": "sad",
        "doc": {"x": [1]},
        "tags": ["a", "b"],
        "scores": [1, 2],
        "pg_uid": str(uuid.uuid4()),
        "text_uid": str(uuid.uuid4()),
        "blob": base64.b64encode(b"\x00\xff").decode(),
    }
    result = validate(Everything, body)
    assert result.errors == []
    await create_tables(pg_url, metadata)
    db = CrudDB(pg_url, metadata, min_size=1, max_size=1)
    try:
        row = (await db.db_insert(everything, result.data))[0]
        assert row["color"] is Color.red
        assert row["blob"] == b"\x00\xff"
        out = dump(Everything, dict(row))
        for key, value in body.items():
            if key == "amount":
                assert out[key] == 1.25
            else:
                assert out[key] == value, key
        assert out["flag"] is False and isinstance(out["uid"], str)
        # the largest NUMERIC(10, 2) and a naive datetime are what PostgreSQL takes
        edge = validate(
            Everything,
            {**body, "name": "edge", "amount": -99999999.99, "naive": "2024-01-01T10:00:00"},
        )
        assert edge.errors == []
        row = (await db.db_insert(everything, edge.data))[0]
        assert row["amount"] == decimal.Decimal("-99999999.99")
        assert row["naive"] == datetime.datetime(2024, 1, 1, 10)
        # the row schema (a response) documents every column as present, and what
        # PostgreSQL answers, dumped, is valid by it
        Row = dataclass_from_table("Row", everything, row=True)
        not_null = {c.key for c in everything.columns if not c.nullable}
        assert set(json_schema(Row)["$defs"]["Row"]["required"]) == not_null
        assert validate(Row, out).errors == []
        assert validate(Row, {k: v for k, v in out.items() if k != "at"}).errors != []
        # a row with nulls dumps without their keys, still valid by the row schema
        empty = (await db.db_insert(everything, {"small": 1, "amount": 1, "name": "ab"}))[0]
        sparse = dump(Row, dict(empty))
        assert "naive" not in sparse and not_null <= set(sparse)
        assert validate(Row, sparse).errors == []
        # filters on those types
        assert len(await db.db_select(everything, {"color": Color.red})) == 2
        assert len(await db.db_select(everything, {"span:ge": datetime.timedelta(hours=1)})) == 2
        assert len(await db.db_select(everything, {"mood": ["happy", "sad"]})) == 2
    finally:
        await db.close()
        await drop_tables(pg_url, metadata)


def test_values_postgresql_would_refuse_are_refused_naming_the_field() -> None:
    """NUMERIC(p, s) overflow and an offset on TIMESTAMP WITHOUT TIME ZONE were database
    errors (a 422 with no field, or a 500); the schema now says and checks them."""
    Everything = dataclass_from_table("Everything", everything)
    schema = json_schema(Everything)["$defs"]["Everything"]["properties"]
    assert schema["amount"]["maximum"] == 99999999.99
    assert schema["amount"]["minimum"] == -99999999.99
    for data, field, message in [
        ({"amount": 100000000}, "amount", "must be less than or equal to 99999999.99"),
        ({"amount": -1e9}, "amount", "must be greater than or equal to -99999999.99"),
        ({"naive": "2024-01-01T10:00:00+02:00"}, "naive", "timezone not allowed"),
    ]:
        assert validate(Everything, data).errors == [{"field": field, "message": message}]
    plain = dataclass_from_table(
        "Plain",
        sa.Table("plain", sa.MetaData(), sa.Column("n", sa.Numeric), sa.Column("w", sa.Numeric(4))),
    )
    properties = json_schema(plain)["$defs"]["Plain"]["properties"]
    assert "maximum" not in properties["n"] and properties["w"]["maximum"] == 9999
    assert validate(plain, {"n": 1e30, "w": 12.6}).data == {"n": decimal.Decimal("1e30"), "w": 13}


COLUMN_TYPES: list[Any] = [
    sa.Integer(),
    sa.SmallInteger(),
    sa.BigInteger(),
    sa.Boolean(),
    sa.String(8),
    sa.Text(),
    sa.Numeric(10, 2),
    sa.Float(),
    sa.Date(),
    sa.DateTime(timezone=True),
    sa.Uuid(),
    sa.Enum(Color, name="color_doc"),
    postgresql.JSONB(),
    postgresql.ARRAY(sa.String(8)),
]

# values of every JSON type, to try against both sides
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=4,
)


def _documented(spec: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a property's JSON Schema allows (hypothesis-jsonschema; any JSON for ``{}``,
    as its object generation no longer runs on current hypothesis; it knows no "uuid")."""
    if not {"type", "enum", "anyOf", "oneOf", "$ref", "const"} & set(spec):
        return _json_values
    formats = {"uuid": st.uuids().map(str)}
    return from_schema({**spec, "$defs": document["$defs"]}, custom_formats=formats)


def _document_schemas(column_type: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """(kind, dataclass, standalone JSON Schema) of the add, update and row schemas of
    a table with the type nullable, NOT NULL, and NOT NULL with a server default."""
    table = sa.Table(
        f"doc_{type(column_type).__name__.lower()}",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("nullable", column_type, nullable=True),
        sa.Column("not_null", column_type, nullable=False),
        sa.Column("defaulted", column_type, nullable=False, server_default=sa.text("NULL")),
    )
    kinds = {"add": {"required": True}, "update": {}, "row": {"row": True}}
    out = []
    for kind, options in kinds.items():
        schema_class = dataclass_from_table("Doc", table, exclude=("id",), **options)
        document = json_schema(schema_class)
        standalone = {**document["$defs"]["Doc"], "$defs": document["$defs"]}
        out.append((kind, schema_class, standalone))
    return out


def _check_agreement(kind: str, schema_class: Any, document: dict[str, Any]) -> None:
    """Documented objects are accepted; on any object, document and validate() agree."""
    checker = Draft202012Validator(document, format_checker=FormatChecker())
    properties = document["properties"]
    documented = {name: _documented(spec, document) for name, spec in properties.items()}
    required = set(document.get("required", ()))
    objects = st.fixed_dictionaries(
        {name: documented[name] for name in required},
        optional={name: documented[name] for name in properties if name not in required},
    )

    @given(value=objects)
    @settings(max_examples=10, derandomize=True, database=None, deadline=None)
    def documented_is_accepted(value: dict[str, Any]) -> None:
        assert validate(schema_class, value).errors == [], (kind, value)

    documented_is_accepted()

    candidates = {name: documented[name] | _json_values for name in properties}

    @given(value=st.fixed_dictionaries({}, optional=candidates))
    @settings(max_examples=20, derandomize=True, database=None, deadline=None)
    def both_sides_agree(value: dict[str, Any]) -> None:
        valid = checker.is_valid(value)
        accepted = not validate(schema_class, value).errors
        assert valid == accepted, (kind, value, valid)

    both_sides_agree()


@pytest.mark.parametrize("column_type", COLUMN_TYPES, ids=lambda x: type(x).__name__)
def test_the_document_says_what_validation_accepts(column_type: Any) -> None:
    """For every column type, nullable or not, with and without a server default, in the
    add, update and row schemas: any object the document allows (its properties generated
    from their JSON Schemas) is accepted by validate(), and on objects mixing documented
    values, null, missing keys and values of every JSON type, validate() and a JSON
    Schema validator agree."""
    for kind, schema_class, document in _document_schemas(column_type):
        _check_agreement(kind, schema_class, document)
        properties = document["properties"]
        # what a column allows, exactly (a JSON column stores JSON null as a value)
        json_column = isinstance(column_type, sa.JSON)
        assert _allows_null(properties["nullable"])
        assert _allows_null(properties["not_null"]) == json_column
        assert _allows_null(properties["defaulted"]) == json_column
        expected = {
            "add": {"not_null"},
            "update": set(),
            "row": set() if json_column else {"not_null", "defaulted"},
        }
        required = set(document.get("required", ()))
        assert required == expected[kind], (kind, required)


def _allows_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "enum" in schema:
        return None in schema["enum"]
    options = schema.get("anyOf") or schema.get("oneOf") or []
    return any(_allows_null(option) for option in options) or not (kind or options)
