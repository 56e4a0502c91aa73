"""Kinds of one value out of a fixed set: ``Enum`` classes and ``Literal``."""

from __future__ import annotations

import enum
from typing import Any

from ._dump_emitter import DumpEmitter
from ._field_specs import class_description, runtime_class
from ._input_values import enum_loader, literal_loader
from ._kind import Kind, register
from ._load_emitter import LoadEmitter
from ._nodes import Node
from ._schema_writer import SchemaRegistry, plain


def _plain_enum(node: Node) -> bool:
    """Every member's value is JSON as it is: ``member.value`` dumps it."""
    return all(type(m.value) in (str, int) for m in node.cls)


@register
class EnumKind(Kind):
    """Enums: loaded by value (or member name, for older data), dumped by value."""

    names = ("enum",)
    dumps_any_value = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        fn = enum_loader(node.cls, e.multiple, as_name=False)
        e.b.line(f"{dst} = {e.b.const(fn, 'enum')}({src})")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return tuple({type(m.value) for m in node.cls})

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"(_dump_any({v}.value) if _isinstance({v}, _Enum) else {v})"

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"{v}.value" if _plain_enum(node) else self.dump(e, node, v)

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return _plain_enum(node)

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (runtime_class(node.cls),)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        s: dict[str, Any] = {"enum": [plain(m.value) for m in node.cls]}
        description = class_description(node.cls)
        if description:
            s["description"] = description
        return s


@register
class LiteralKind(Kind):
    """``Literal[...]``: one of the values; an enum member is read by its value."""

    names = ("literal",)
    dumps_any_value = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        fn = literal_loader(node.values, e.multiple)
        e.b.line(f"{dst} = {e.b.const(fn, 'literal')}({src})")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return tuple({type(v) for v in node.values})

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        if any(isinstance(x, enum.Enum) for x in node.values):
            return f"_dump_any({v})"
        return v

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return tuple({type(v) for v in node.values})

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        values = [plain(v) for v in node.values]
        return {"const": values[0]} if len(values) == 1 else {"enum": values}
