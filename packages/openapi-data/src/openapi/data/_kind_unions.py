"""The kind of ``X | Y``: one of several types."""

from __future__ import annotations

import enum
from typing import Any

from ._codegen import ident
from ._compiled import ObjectLoader, TypedDictLoader, UnionLoader, compiled
from ._dump_emitter import DumpEmitter, Dumper
from ._dump_emitter import kind_of as dump_kind_of
from ._field_specs import discriminator
from ._kind import Kind, register
from ._load_emitter import LoadEmitter, Loader, compile_value, text_literal
from ._load_emitter import kind_of as load_kind_of
from ._nodes import Node
from ._schema_writer import SchemaRegistry, plain


@register
class UnionKind(Kind):
    """Options tried in turn (or picked by a discriminating ``Literal`` field)."""

    names = ("union",)

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        fn = e.ref(UnionLoader(node, e.multiple), "union")
        e.b.line(f"{dst} = {fn}({src}, {pre}, _errors)")

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"{e.b.const(compile_union_dumper(node, e.native_times), 'union')}({v})"

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        s: dict[str, Any] = {"anyOf": [w.node_schema(o) for o in node.args]}
        disc = discriminator(node.args)
        if disc is not None:
            # OpenAPI's discriminator; JSON Schema validators ignore unknown keywords.
            name, table = disc
            mapping = {str(plain(value)): w.ref_to(option.cls) for value, option in table.items()}
            s["discriminator"] = {"propertyName": name, "mapping": mapping}
        return s


@compiled.compiler(UnionLoader)
def _union_loader(key: UnionLoader) -> Loader:
    """Try the options: by the discriminating Literal field when every option has one,
    else those whose input class matches first, then all in declared order."""
    node, multiple = key.node, key.multiple
    e = LoadEmitter(multiple=multiple)
    b = e.b
    options = node.args
    disc = discriminator(options)
    with b.block("def _load_union(_src, _pre, _errors):"):
        if disc is not None:
            name, table = disc
            with b.block("if not _isinstance(_src, _dict):"):
                b.line("_src = _as_mapping(_src)")
            b.line(f"_t = _src.get({name!r}, _MISSING)")
            for value, option in table.items():
                option_key = (
                    ObjectLoader(option.cls)
                    if option.kind == "dataclass"
                    else TypedDictLoader(option.cls)
                )
                fn = e.ref(option_key, "load_" + ident(option.cls))
                if isinstance(value, enum.Enum):  # the tag arrives as the member's value
                    value = value.value
                tv = b.const(value, "tag")
                with b.block(
                    f"if _t.__class__ is {b.const(type(value), 'tagtype')} and _t == {tv}:"
                ):
                    b.line(f"return {fn}(_src, _pre, _errors)")
            with b.block("if _t is _MISSING:"):
                b.line(f"_errors.append({{'field': _pre + {name!r}, 'message': 'required'}})")
            with b.block("else:"):
                choices = ", ".join(repr(v.value if isinstance(v, enum.Enum) else v) for v in table)
                e.record(f"_pre + {name!r}", text_literal("must be one of: " + choices))
            b.line("raise _Invalid()")
        else:
            fns = []
            for option in options:
                if option.kind == "dataclass":
                    fns.append(e.ref(ObjectLoader(option.cls), "load_" + ident(option.cls)))
                else:
                    fns.append(
                        b.const(
                            compile_value(option, multiple, f"union option {option.kind}"),
                            "option",
                        )
                    )
            b.line("_c = _src.__class__")
            for option, fn in zip(options, fns, strict=True):
                exact = load_kind_of(option).input_classes(option)
                if not exact:
                    continue
                with b.block(f"if _c in {b.const(frozenset(exact), 'exact')}:"):
                    with b.block("try:"):
                        b.line(f"return {fn}(_src, _pre, [])")
                    with b.block("except _Invalid:"):
                        b.line("pass")
            for fn in fns:
                with b.block("try:"):
                    b.line(f"return {fn}(_src, _pre, [])")
                with b.block("except _Invalid:"):
                    b.line("pass")
            b.line("raise _Invalid('does not match any of the allowed types')")
    return b.build("_load_union", "loader union")


def compile_union_dumper(node: Node, native_times: bool = False) -> Dumper:
    """Pick the option by the value's class: exact classes first, so True is never
    dumped by an int option; then subclasses."""
    e = DumpEmitter(native_times)
    b = e.b
    # Exact classes first, so True is never dumped by an int option and so on.
    with b.block("def _dump_union(_o):"):
        b.line("_c = _o.__class__")
        for option in node.args:
            classes = dump_kind_of(option).value_classes(option)
            with b.block(f"if _c in {b.const(frozenset(classes), 'classes')}:"):
                b.line(f"return {e.value_expr(option, '_o')}")
        for option in node.args:
            classes = dump_kind_of(option).value_classes(option)
            if bool in classes or int in classes and option.kind != "int":
                continue
            with b.block(f"if _isinstance(_o, {b.const(classes, 'classes')}):"):
                b.line(f"return {e.value_expr(option, '_o')}")
        b.line("return _dump_any(_o)")
    return b.build("_dump_union", "dumper union")
