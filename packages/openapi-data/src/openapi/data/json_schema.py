"""JSON Schema 2020-12 of supported types; the one source openapi-spec renders from."""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, get_args

from ._codegen import ident
from ._field_specs import (
    FieldSpec,
    class_description,
    dataclass_fields,
    discriminator,
    forbids_unknown,
    is_dataclass_type,
    runtime_class,
    typeddict_fields,
)
from ._hints import analyze
from ._nodes import Node
from ._output_values import dump_any

__all__ = ["FieldSchema", "SchemaRegistry", "json_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_FORMATS = {
    "uuid": "uuid",
    "datetime": "date-time",
    "date": "date",
    "time": "time",
    "timedelta": "duration",
}


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
                    description=spec.info.description,
                    ops=spec.info.ops,
                    hidden=spec.info.hidden,
                )
            )
        return out

    # internals ---------------------------------------------------------------

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
            properties[spec.name] = self.field_schema(spec)
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
        default = _json_default(spec)
        # A None default of a field that refuses null (required=True) is no default.
        if default is not dataclasses.MISSING and (default is not None or spec.node.nullable):
            schema["default"] = default
        return schema

    def node_schema(self, node: Node) -> dict[str, Any]:
        schema = self._value_schema(node)
        if node.nullable and node.kind not in ("any", "none"):
            schema = _nullable(schema)
        if node.c.description and "description" not in schema:
            schema["description"] = node.c.description
        return schema

    def _value_schema(self, node: Node) -> dict[str, Any]:
        kind = node.kind
        c = node.c
        s: dict[str, Any]
        if kind == "any":
            return {}
        if kind == "none":
            return {"type": "null"}
        if kind == "str":
            if c.enum_cls is not None:
                return {"type": "string", "enum": list(c.enum_cls.__members__)}
            s = {"type": "string"}
            if c.min_length:
                s["minLength"] = c.min_length
            if c.max_length is not None:
                s["maxLength"] = c.max_length
            if c.pattern is not None:
                s["pattern"] = c.pattern
            if c.format:
                s["format"] = c.format
            return s
        if kind in ("int", "float", "decimal"):
            s = {"type": "integer" if kind == "int" else "number"}
            _bounds(s, node)
            if c.format:
                s["format"] = c.format
            return s
        if kind == "bool":
            return {"type": "boolean"}
        if kind in _FORMATS:
            return {"type": "string", "format": c.format or _FORMATS[kind]}
        if kind == "enum":
            values = [_plain(m.value) for m in node.cls]
            s = {"enum": values}
            description = class_description(node.cls)
            if description:
                s["description"] = description
            return s
        if kind == "literal":
            values = [_plain(v) for v in node.values]
            return {"const": values[0]} if len(values) == 1 else {"enum": values}
        if kind in ("list", "tuple", "set", "frozenset"):
            s = {"type": "array", "items": self.node_schema(node.args[0])}
            if c.min_length:
                s["minItems"] = c.min_length
            if c.max_length is not None:
                s["maxItems"] = c.max_length
            return s
        if kind == "tuple_fixed":
            n = len(node.args)
            s = {"type": "array", "minItems": n, "maxItems": n}
            if n:
                s["prefixItems"] = [self.node_schema(a) for a in node.args]
            s["items"] = False
            return s
        if kind == "dict":
            key, value = node.args
            s = {"type": "object"}
            vs = self.node_schema(value)
            if vs:
                s["additionalProperties"] = vs
            if key.kind != "str" or key.c.max_length or key.c.pattern:
                ks = self._value_schema(key)
                if ks.get("type") == "string" or "enum" in ks or "const" in ks:
                    s["propertyNames"] = ks
                elif key.kind == "int":
                    s["propertyNames"] = {"pattern": r"^-?\d+$"}
            if c.min_length:
                s["minProperties"] = c.min_length
            if c.max_length is not None:
                s["maxProperties"] = c.max_length
            return s
        if kind in ("dataclass", "typeddict"):
            return {"$ref": self.ref_prefix + self.name_of(node.cls)}
        if kind == "union":
            s = {"anyOf": [self.node_schema(o) for o in node.args]}
            disc = discriminator(node.args)
            if disc is not None:
                # OpenAPI's discriminator; JSON Schema validators ignore unknown keywords.
                name, table = disc
                mapping = {
                    str(_plain(value)): self.ref_prefix + self.name_of(option.cls)
                    for value, option in table.items()
                }
                s["discriminator"] = {"propertyName": name, "mapping": mapping}
            return s
        raise TypeError(f"no JSON Schema for {kind}")


def _schema_name(tp: Any) -> str:
    """``Task`` for a class, ``Page_Task`` for a generic dataclass with its arguments."""
    origin = runtime_class(tp)
    if origin is tp:
        return str(getattr(tp, "__name__", "Schema"))
    args = "_".join(_schema_name(a) if isinstance(a, type) else ident(a) for a in get_args(tp))
    return f"{origin.__name__}_{args}"


def _bounds(s: dict[str, Any], node: Node) -> None:
    c = node.c
    for key, value in (
        ("minimum", c.ge),
        ("exclusiveMinimum", c.gt),
        ("maximum", c.le),
        ("exclusiveMaximum", c.lt),
        ("multipleOf", c.multiple_of),
    ):
        if value is not None:
            s[key] = _plain(value)


def _plain(value: Any) -> Any:
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


def json_schema(tp: Any) -> dict[str, Any]:
    """A standalone JSON Schema 2020-12 of ``tp``, dataclasses under ``$defs``."""
    registry = SchemaRegistry(ref_prefix="#/$defs/")
    schema = {"$schema": DRAFT, **registry.schema_of(tp)}
    if registry.definitions:
        schema["$defs"] = registry.definitions
    return schema
