"""The JSON Schema writer: :class:`SchemaRegistry` walks the nodes of a type.

The schema of a value of one kind comes from that kind's ``schema`` (``_kind_*.py``),
registered in :data:`SCHEMAS`; this module holds what all kinds share.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, Protocol, get_args

from ._codegen import ident
from ._field_specs import (
    FieldSpec,
    class_description,
    dataclass_fields,
    forbids_unknown,
    is_dataclass_type,
    runtime_class,
    typeddict_fields,
)
from ._hints import analyze
from ._invalid import Invalid
from ._load_emitter import compile_value
from ._nodes import Node
from ._output_values import dump_any


class DescribesKind(Protocol):
    """What the JSON Schema pass asks of a kind."""

    # A nullable value is written with "null" added by the writer.
    null_added: bool

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        """The JSON Schema of a value of this kind, without null."""


SCHEMAS: dict[str, DescribesKind] = {}


class FieldSchema(NamedTuple):
    """The schema of one dataclass field, as openapi-spec renders parameters from it."""

    name: str
    schema: dict[str, Any]
    required: bool
    description: str | None
    ops: tuple[str, ...]
    hidden: bool


class SchemaRegistry:
    """Schemas of types; dataclasses and TypedDicts become ``$ref`` to named definitions."""

    def __init__(self, ref_prefix: str = "#/components/schemas/") -> None:
        self.ref_prefix = ref_prefix
        self.definitions: dict[str, dict[str, Any]] = {}
        self._names: dict[Any, str] = {}

    def schema_of(self, tp: Any) -> dict[str, Any]:
        """The inline schema of a type hint."""
        return self.node_schema(analyze(tp))

    def fields_of(self, cls: Any) -> list[FieldSchema]:
        """The :class:`FieldSchema` of every field of a dataclass."""
        out = []
        for spec in dataclass_fields(cls):
            out.append(
                FieldSchema(
                    name=spec.name,
                    schema=self.field_schema(spec),
                    required=spec.required,
                    description=spec.info.description or spec.node.c.description,
                    ops=spec.info.ops,
                    hidden=spec.info.hidden,
                )
            )
        return out

    # what the kinds' schema emitters use -----------------------------------------

    def name_of(self, cls: Any) -> str:
        name = self._names.get(cls)
        if name is None:
            base = _schema_name(cls)
            name = base
            taken = set(self._names.values())
            n = 2
            while name in taken:
                name = f"{base}{n}"
                n += 1
            self._names[cls] = name
            self.definitions[name] = {}  # placeholder: recursive types refer to it
            self.definitions[name] = self.object_schema(cls)
        return name

    def object_schema(self, cls: Any) -> dict[str, Any]:
        is_dc = is_dataclass_type(cls)
        specs = dataclass_fields(cls) if is_dc else typeddict_fields(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for spec in specs:
            if spec.info.hidden:
                continue
            try:
                properties[spec.name] = self.field_schema(spec)
            except InvalidExample as exc:
                raise InvalidExample(f"{_schema_name(cls)}.{exc}") from None
            if spec.required:
                required.append(spec.name)
        schema: dict[str, Any] = {"type": "object", "title": _schema_name(cls)}
        description = class_description(cls)
        if description:
            schema["description"] = description
        schema["properties"] = properties
        if required:
            schema["required"] = required
        if forbids_unknown(cls):
            schema["additionalProperties"] = False
        return schema

    def field_schema(self, spec: FieldSpec) -> dict[str, Any]:
        schema = self.node_schema(spec.node)
        validator = spec.validator
        if validator is not None and hasattr(validator, "openapi"):
            schema = dict(schema)
            validator.openapi(schema)
        if spec.info.description and "description" not in schema:
            schema["description"] = spec.info.description
        if spec.info.examples:
            schema = {**schema, "examples": [checked_example(spec, e) for e in spec.info.examples]}
        default = _json_default(spec)
        # A None default of a field that refuses null (required=True) is no default.
        if default is not dataclasses.MISSING and (default is not None or spec.node.nullable):
            schema["default"] = default
        return schema

    def node_schema(self, node: Node) -> dict[str, Any]:
        kind = kind_of(node)
        schema = kind.schema(self, node)
        if node.nullable and kind.null_added:
            schema = _nullable(schema)
        if node.c.description and "description" not in schema:
            schema["description"] = node.c.description
        return schema

    def value_schema(self, node: Node) -> dict[str, Any]:
        """The schema of a node without null and description."""
        return kind_of(node).schema(self, node)

    def ref_to(self, cls: Any) -> str:
        """The ``$ref`` of a dataclass or TypedDict, defined on first use."""
        return self.ref_prefix + self.name_of(cls)


class InvalidExample(ValueError):
    """An example given to a field helper is not a valid value of the field."""


def checked_example(spec: FieldSpec, example: Any) -> Any:
    """``example`` as JSON data, once the field's loader accepts it."""
    loader = compile_value(spec.node, False, f"example of {spec.name}")
    errors: list[dict[str, str]] = []
    try:
        loader(example, "", errors)
    except Invalid as exc:
        errors.append({"field": "", "message": exc.args[0] if exc.args else "invalid"})
    if errors:
        reason = "; ".join(e["message"] for e in errors)
        raise InvalidExample(f"{spec.name}: the example {example!r} is invalid: {reason}")
    return plain(example)


def kind_of(node: Node) -> DescribesKind:
    try:
        return SCHEMAS[node.kind]
    except KeyError:
        raise TypeError(f"no JSON Schema for {node.kind}") from None


def _schema_name(tp: Any) -> str:
    """``Task`` for a class, ``Page_Task`` for a generic dataclass with its arguments."""
    origin = runtime_class(tp)
    if origin is tp:
        return str(getattr(tp, "__name__", "Schema"))
    args = "_".join(_schema_name(a) if isinstance(a, type) else ident(a) for a in get_args(tp))
    return f"{origin.__name__}_{args}"


def add_bounds(s: dict[str, Any], node: Node) -> None:
    """The numeric bounds of ``node`` as JSON Schema keywords."""
    c = node.c
    for key, value in (
        ("minimum", c.ge),
        ("exclusiveMinimum", c.gt),
        ("maximum", c.le),
        ("exclusiveMaximum", c.lt),
        ("multipleOf", c.multiple_of),
    ):
        if value is not None:
            s[key] = plain(value)


def plain(value: Any) -> Any:
    """A value as JSON data."""
    return dump_any(value)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    t = schema.get("type")
    if isinstance(t, str) and "enum" not in schema and "const" not in schema:
        return {**schema, "type": [t, "null"]}
    if "anyOf" in schema and len(schema) == 1:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def _json_default(spec: FieldSpec) -> Any:
    if spec.default is dataclasses.MISSING:
        return dataclasses.MISSING
    try:
        return dump_any(spec.default)
    except TypeError:
        return dataclasses.MISSING
