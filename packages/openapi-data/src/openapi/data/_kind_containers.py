"""Kinds that hold items: sequences (list, tuple, set, frozenset), fixed tuples, dicts."""

from __future__ import annotations

from typing import Any

from ._dump_emitter import DumpEmitter
from ._kind import Kind, register
from ._load_emitter import LoadEmitter, child_location, kind_of, text_literal
from ._nodes import EMPTY, Node
from ._schema_writer import SchemaRegistry

_TO_CLASS: dict[str, type] = {"tuple": tuple, "set": set, "frozenset": frozenset}
_VALUE_CLASSES: dict[str, tuple[type, ...]] = {
    "list": (list, tuple),
    "tuple": (tuple, list),
    "set": (set, frozenset),
    "frozenset": (frozenset, set),
}


def _item_location(pre: str, index: str) -> str:
    return f"{pre} + _str({index})" if pre != "''" else f"_str({index})"


@register
class SequenceKind(Kind):
    """A JSON array loaded as a list, tuple, set or frozenset of one item type."""

    names = ("list", "tuple", "set", "frozenset")
    container = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        if e.multiple:
            with b.block(f"if _isinstance({src}, _str):"):
                b.line(f"{src} = [{src}]")
        with b.block(
            f"if {src}.__class__ is not _list and not _isinstance({src}, (_list, _tuple)):"
        ):
            b.line("raise _Invalid('expected a list')")
        e.emit_length(node, src, "items")
        item = node.args[0]
        out = b.name("out")
        unchanged = kind_of(item).unchanged_class
        if item.kind == "any":
            b.line(f"{out} = [*{src}]")
        elif unchanged is not None and item.c == EMPTY and not item.nullable and not e.multiple:
            # Fast path: check the classes only; the full loop explains a failure.
            x = b.name("x")
            with b.block(f"for {x} in {src}:"):
                with b.block(f"if {x}.__class__ is not {b.const(unchanged, 'cls')}:"):
                    self.emit_loop(e, item, src, out, pre)
                    b.line("break")
            with b.block("else:"):
                b.line(f"{out} = [*{src}]")
        else:
            self.emit_loop(e, item, src, out, pre)
        if node.kind == "list":
            b.line(f"{dst} = {out}")
        else:
            with b.block("try:"):
                b.line(f"{dst} = {b.const(_TO_CLASS[node.kind], node.kind)}({out})")
            with b.block("except TypeError:"):
                b.line("raise _Invalid('items must be hashable')")

    @staticmethod
    def emit_loop(e: LoadEmitter, item: Node, src: str, out: str, pre: str) -> None:
        b = e.b
        i, x, y, bad = b.name("i"), b.name("x"), b.name("y"), b.name("bad")
        b.line(f"{out} = []")
        b.line(f"{bad} = False")
        with b.block(f"for {i}, {x} in _enumerate({src}):"):
            e.emit_item(item, x, y, _item_location(pre, i), f"{out}.append({y})", bad)
        with b.block(f"if {bad}:"):
            b.line("raise _Invalid()")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (list,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        e.depth += 1
        x = e.item_variable("x")
        item = e.expr(node.args[0], x)
        e.depth -= 1
        return f"[*{v}]" if item == x else f"[{item} for {x} in {v}]"

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        if node.args[0].nullable:
            return self.dump(e, node, v)
        e.depth += 1
        x = e.item_variable("x")
        item = e.trusted_expr(node.args[0], x)
        e.depth -= 1
        return f"[*{v}]" if item == x else f"[{item} for {x} in {v}]"

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return True

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return _VALUE_CLASSES[node.kind]

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        s: dict[str, Any] = {"type": "array", "items": w.node_schema(node.args[0])}
        if node.c.min_length:
            s["minItems"] = node.c.min_length
        if node.c.max_length is not None:
            s["maxItems"] = node.c.max_length
        return s


@register
class FixedTupleKind(Kind):
    """``tuple[int, str]``: an array of exactly these items."""

    names = ("tuple_fixed",)
    container = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        n = len(node.args)
        with b.block(f"if not _isinstance({src}, (_list, _tuple)):"):
            b.line("raise _Invalid('expected a list')")
        with b.block(f"if _len({src}) != {n}:"):
            b.line(f"raise _Invalid({text_literal(f'expected {n} items')})")
        out, bad = b.name("out"), b.name("bad")
        b.line(f"{out} = []")
        b.line(f"{bad} = False")
        for idx, item in enumerate(node.args):
            x, y = b.name("x"), b.name("y")
            b.line(f"{x} = {src}[{idx}]")
            e.emit_item(item, x, y, child_location(pre, str(idx)), f"{out}.append({y})", bad)
        with b.block(f"if {bad}:"):
            b.line("raise _Invalid()")
        b.line(f"{dst} = _tuple({out})")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (list,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        # A function of its own: each item is read once by index.
        inner = DumpEmitter(e.native_times)
        b = inner.b
        with b.block("def _dump_tuple(_o):"):
            parts = []
            for idx, item in enumerate(node.args):
                b.line(f"_i{idx} = _o[{idx}]")
                parts.append(inner.expr(item, f"_i{idx}"))
            b.line(f"return [{', '.join(parts)}]")
        fn = b.build("_dump_tuple", "dumper tuple_fixed")
        return f"{e.b.const(fn, 'tuple')}({v})"

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (tuple, list)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        n = len(node.args)
        s: dict[str, Any] = {"type": "array", "minItems": n, "maxItems": n}
        if n:
            s["prefixItems"] = [w.node_schema(a) for a in node.args]
        s["items"] = False
        return s


@register
class DictKind(Kind):
    """A JSON object of any keys: keys are text, coerced to the key type like a query."""

    names = ("dict",)
    container = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        with b.block(f"if not _isinstance({src}, _dict):"):
            b.line(f"{src} = _as_mapping({src})")
        e.emit_length(node, src, "properties")
        key, value = node.args
        out = b.name("out")
        if key.kind in ("str", "any") and key.c == EMPTY and value.kind == "any":
            b.line(f"{out} = _dict({src})")
        else:
            k, x, kk, y, bad = b.name("k"), b.name("x"), b.name("kk"), b.name("y"), b.name("bad")
            b.line(f"{out} = {{}}")
            b.line(f"{bad} = False")
            with b.block(f"for {k}, {x} in {src}.items():"):
                loc = _item_location(pre, k)
                saved = e.multiple
                e.multiple = True  # object keys are always text: coerce them like a query
                err = b.name("e")
                with b.block("try:"):
                    e.emit(key, k, kk, f"{loc} + '.'")
                with b.block(f"except _Invalid as {err}:"):
                    b.line(f"{bad} = True")
                    reason = f"({err}.args[0] if {err}.args else 'invalid')"
                    e.record(loc, f"'invalid key: ' + {reason}")
                    b.line("continue")
                e.multiple = saved
                e.emit_item(value, x, y, loc, f"{out}[{kk}] = {y}", bad)
            with b.block(f"if {bad}:"):
                b.line("raise _Invalid()")
        b.line(f"{dst} = {out}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (dict,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        key, value = node.args
        e.depth += 1
        k, x = e.item_variable("k"), e.item_variable("x")
        ke = k if key.kind == "str" else f"_str(_dump_any({k}))"
        ve = e.expr(value, x)
        e.depth -= 1
        if ke == k and ve == x:
            return f"_dict({v})"
        return f"{{{ke}: {ve} for {k}, {x} in {v}.items()}}"

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (dict,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        key, value = node.args
        c = node.c
        s: dict[str, Any] = {"type": "object"}
        vs = w.node_schema(value)
        if vs:
            s["additionalProperties"] = vs
        if key.kind != "str" or key.c.max_length or key.c.pattern:
            ks = w.value_schema(key)
            if ks.get("type") == "string" or "enum" in ks or "const" in ks:
                s["propertyNames"] = ks
            elif key.kind == "int":
                s["propertyNames"] = {"pattern": r"^-?\d+$"}
        if c.min_length:
            s["minProperties"] = c.min_length
        if c.max_length is not None:
            s["maxProperties"] = c.max_length
        return s
