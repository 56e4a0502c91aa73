"""Kinds of single JSON values: any, null, text, numbers, booleans and UUIDs."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from uuid import UUID

from ._dump_emitter import DumpEmitter
from ._input_values import (
    EMAIL_RE,
    enum_loader,
    to_bool,
    to_bool_q,
    to_decimal,
    to_decimal_q,
    to_float,
    to_float_q,
    to_int,
    to_int_q,
    to_uuid,
    uuid_text,
)
from ._kind import Kind, register
from ._load_emitter import LoadEmitter, text_literal
from ._nodes import Node
from ._schema_writer import SchemaRegistry, add_bounds


@register
class AnyKind(Kind):
    """``Any`` and ``object``: loaded as they are, dumped as JSON data."""

    names = ("any",)
    dumps_any_value = True
    null_added = False

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        e.b.line(f"{dst} = {src}")

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"_dump_any({v})"

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {}


@register
class NoneKind(Kind):
    """``None``: only null (a nullable node never gets to ``load``)."""

    names = ("none",)
    null_added = False

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        e.b.line("raise _Invalid('expected null')")

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return v

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {"type": "null"}


@register
class StrKind(Kind):
    """Text, with lengths, a pattern, the ``email`` and ``uuid`` formats, enum names."""

    names = ("str",)
    classes = (str,)
    unchanged_class = str
    dumps_any_value = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        c = node.c
        with b.block(f"if {src}.__class__ is not _str and not _isinstance({src}, _str):"):
            b.line("raise _Invalid('expected a string')")
        e.emit_length(node, src, "characters")
        if c.pattern is not None:
            rx = b.const(re.compile(c.pattern).search, "rx")
            with b.block(f"if {rx}({src}) is None:"):
                b.line(f"raise _Invalid({text_literal('must match pattern ' + c.pattern)})")
        if c.format == "email":
            rx = b.const(EMAIL_RE.fullmatch, "email")
            with b.block(f"if {rx}({src}) is None:"):
                b.line("raise _Invalid('not a valid email address')")
        elif c.format == "uuid":
            b.line(f"{src} = {b.const(uuid_text, 'uuid')}({src})")
        if c.enum_cls is not None:
            fn = enum_loader(c.enum_cls, e.multiple, as_name=True)
            b.line(f"{src} = {b.const(fn, 'enum')}({src})")
        b.line(f"{dst} = {src}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (str,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return v

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return True

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (str,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        c = node.c
        if c.enum_cls is not None:
            return {"type": "string", "enum": list(c.enum_cls.__members__)}
        s: dict[str, Any] = {"type": "string"}
        if c.min_length:
            s["minLength"] = c.min_length
        if c.max_length is not None:
            s["maxLength"] = c.max_length
        if c.pattern is not None:
            s["pattern"] = c.pattern
        if c.format:
            s["format"] = c.format
        return s


class NumberKind(Kind):
    """What the number kinds share: bounds in the schema, the value dumped as it is."""

    dumps_any_value = True
    json_type = "number"

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return v

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return True

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        s: dict[str, Any] = {"type": self.json_type}
        add_bounds(s, node)
        if node.c.format:
            s["format"] = node.c.format
        return s


def _integral_divisor(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float) else value


@register
class IntKind(NumberKind):
    """Integers; a float with no fraction is accepted; ``bool`` is not an int."""

    names = ("int",)
    classes = (int,)
    unchanged_class = int
    json_type = "integer"

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        conv = b.const(to_int_q if e.multiple else to_int, "to_int")
        with b.block(f"if {src}.__class__ is not _int:"):
            b.line(f"{src} = {conv}({src})")
        e.emit_bounds(node, src, divisor=_integral_divisor)
        b.line(f"{dst} = {src}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (int,)

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (int,)


@register
class FloatKind(NumberKind):
    """Floats; ints are accepted (converted), infinities and NaN are not."""

    names = ("float",)
    classes = (float,)

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        c = node.c
        conv = b.const(to_float_q if e.multiple else to_float, "to_float")
        with b.block(f"if {src}.__class__ is not _float:"):
            b.line(f"{src} = {conv}({src})")
        if c.enum_cls is None and c.precision is None and not c.has_bounds():
            b.line(f"{dst} = {src}")
            return
        e.emit_bounds(node, src, divisor=float)
        if c.precision is not None:
            b.line(f"{src} = round({src}, {c.precision})")
        b.line(f"{dst} = {src}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (float,)

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (float, int)


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register
class DecimalKind(NumberKind):
    """Decimals: loaded exactly from numbers (and text in queries), dumped as numbers."""

    names = ("decimal",)
    classes = (Decimal,)

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        c = node.c
        conv = b.const(to_decimal_q if e.multiple else to_decimal, "to_decimal")
        b.line(f"{src} = {conv}({src})")
        e.emit_bounds(node, src, bound=_as_decimal, divisor=_as_decimal)
        if c.precision is not None:
            with b.block("try:"):
                b.line(f"{src} = round({src}, {c.precision})")
            with b.block("except ArithmeticError:"):
                b.line("raise _Invalid('number out of range')")
        b.line(f"{dst} = {src}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (float,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"(_float({v}) if {v}.__class__ is _Decimal else {v})"

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"_float({v})"

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (Decimal,)


@register
class BoolKind(Kind):
    """``true`` and ``false`` (and their usual spellings in queries)."""

    names = ("bool",)
    classes = (bool,)
    unchanged_class = bool
    dumps_any_value = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        conv = b.const(to_bool_q if e.multiple else to_bool, "to_bool")
        with b.block(f"if {src} is not True and {src} is not False:"):
            b.line(f"{src} = {conv}({src})")
        b.line(f"{dst} = {src}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (bool,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return v

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return True

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (bool,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {"type": "boolean"}


@register
class UUIDKind(Kind):
    """UUIDs, as canonical text in JSON."""

    names = ("uuid",)
    classes = (UUID,)
    dumps_any_value = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        e.b.line(f"{dst} = {e.b.const(to_uuid, 'to_uuid')}({src})")

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"(_str({v}) if _isinstance({v}, _UUID) else {v})"

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"_str({v})"

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return True

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (UUID,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {"type": "string", "format": node.c.format or "uuid"}
