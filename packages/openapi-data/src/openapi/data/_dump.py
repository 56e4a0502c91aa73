"""Compile dumpers: a Python function per type turning values into JSON-ready data.

A dataclass dumper accepts an instance of the dataclass, a dict or any mapping (an
asyncpg Record) and drops ``None`` values and keys the dataclass does not declare.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from . import _output_values as C
from ._codegen import CodeBuilder, ident
from ._compiled import CompileKey, ObjectDumper, TypedDictDumper, ValueDumper, compiled
from ._field_specs import dataclass_fields, is_dataclass_type, runtime_class, typeddict_fields
from ._hints import analyze
from ._nodes import Node

Dumper = Callable[[Any], Any]

_BASE_GLOBALS: dict[str, Any] = {
    "_dump_any": C.dump_any,
    "_isinstance": isinstance,
    "_str": str,
    "_float": float,
    "_dict": dict,
    "_list": list,
    "_datetime": datetime,
    "_date": date,
    "_time": time,
    "_timedelta": timedelta,
    "_UUID": UUID,
    "_Decimal": Decimal,
    "_Enum": enum.Enum,
    "_duration": C.duration_text,
    "_fields_as_dict": C.fields_as_dict,
}


class _Compiler:
    def __init__(self) -> None:
        self.b = CodeBuilder(_BASE_GLOBALS)
        self.depth = 0
        self.inlining: list[Any] = []

    def ref(self, key: CompileKey, hint: str) -> str:
        """A global name of the generated code bound to the dumper of ``key``."""
        name = self.b.name(hint)
        compiled.bind(self.b.globals, name, key)
        return name

    def expr(self, node: Node, v: str) -> str:
        """An expression dumping the variable ``v`` (never ``None`` unless nullable)."""
        inner = self.value_expr(node, v)
        if node.nullable and inner != v:
            return f"(None if {v} is None else {inner})"
        return inner

    def value_expr(self, node: Node, v: str) -> str:
        kind = node.kind
        b = self.b
        if kind in ("str", "int", "bool", "literal", "none"):
            if kind == "literal" and any(isinstance(x, enum.Enum) for x in node.values):
                return f"_dump_any({v})"
            return v
        if kind == "float":
            return v
        if kind == "any":
            return f"_dump_any({v})"
        if kind == "decimal":
            return f"(_float({v}) if {v}.__class__ is _Decimal else {v})"
        if kind == "uuid":
            return f"(_str({v}) if _isinstance({v}, _UUID) else {v})"
        if kind == "datetime":
            return f"({v}.isoformat() if {v}.__class__ is _datetime else _dump_any({v}))"
        if kind == "date":
            return f"({v}.isoformat() if {v}.__class__ is _date else _dump_any({v}))"
        if kind == "time":
            return f"({v}.isoformat() if {v}.__class__ is _time else _dump_any({v}))"
        if kind == "timedelta":
            return f"(_duration({v}) if _isinstance({v}, _timedelta) else {v})"
        if kind == "enum":
            return f"(_dump_any({v}.value) if _isinstance({v}, _Enum) else {v})"
        if kind in ("list", "tuple", "set", "frozenset"):
            item = node.args[0]
            self.depth += 1
            x = f"_x{self.depth}"
            e = self.expr(item, x)
            self.depth -= 1
            if e == x:
                return f"[*{v}]"
            return f"[{e} for {x} in {v}]"
        if kind == "tuple_fixed":
            fn = b.const(_compile_value(node), "tuple")
            return f"{fn}({v})"
        if kind == "dict":
            key, value = node.args
            self.depth += 1
            k, x = f"_k{self.depth}", f"_x{self.depth}"
            ke = k if key.kind == "str" else f"_str(_dump_any({k}))"
            ve = self.expr(value, x)
            self.depth -= 1
            if ke == k and ve == x:
                return f"_dict({v})"
            return f"{{{ke}: {ve} for {k}, {x} in {v}.items()}}"
        if kind == "dataclass":
            fn = self.ref(ObjectDumper(node.cls), "dump_" + ident(node.cls))
            return f"{fn}({v})"
        if kind == "typeddict":
            fn = self.ref(TypedDictDumper(node.cls), "dump_" + ident(node.cls))
            return f"{fn}({v})"
        if kind == "union":
            fn = b.const(_compile_union(node), "union")
            return f"{fn}({v})"
        raise TypeError(f"cannot compile a dumper for {kind}")

    def fields_block(self, specs: Any, get: str) -> None:
        """Copy each non-None field into ``_r``; ``get`` formats the read of a name."""
        b = self.b
        for spec in specs:
            v = b.name("v")
            b.line(f"{v} = {get.format(name=spec.name)}")
            with b.block(f"if {v} is not None:"):
                b.line(f"_r[{spec.name!r}] = {self.field_expr(spec, v)}")

    def field_expr(self, spec: Any, v: str) -> str:
        if spec.dump is not None:
            return f"_dump_any({self.b.const(spec.dump, 'dumpfn')}({v}))"
        return self.value_expr(spec.node, v)

    def instance_block(self, cls: Any, o: str, r: str) -> None:
        """Lines building the dict ``r`` from the instance ``o`` of ``cls``: fields that
        can never be None go in one dict display, the others are added when not None."""
        b = self.b
        self.inlining.append(cls)
        direct: list[str] = []
        later: list[tuple[Any, str]] = []
        for spec in dataclass_fields(cls):
            v = b.name("v")
            b.line(f"{v} = {o}.{spec.name}")
            if spec.dump is None and not spec.node.nullable and spec.node.kind in _SAFE:
                direct.append(f"{spec.name!r}: {self.value_expr(spec.node, v)}")
            else:
                later.append((spec, v))
        b.line(f"{r} = {{{', '.join(direct)}}}")
        for spec, v in later:
            node = spec.node
            if spec.dump is None and node.kind == "dataclass" and self.can_inline(node.cls):
                k = b.const(runtime_class(node.cls), "cls")
                with b.block(f"if {v}.__class__ is {k}:"):
                    sub = b.name("r")
                    self.instance_block(node.cls, v, sub)
                    b.line(f"{r}[{spec.name!r}] = {sub}")
                with b.block(f"elif {v} is not None:"):
                    b.line(f"{r}[{spec.name!r}] = {self.field_expr(spec, v)}")
            else:
                with b.block(f"if {v} is not None:"):
                    b.line(f"{r}[{spec.name!r}] = {self.field_expr(spec, v)}")
        self.inlining.pop()

    def trusted_expr(self, node: Node, v: str) -> str:
        """Dump ``v`` assuming it has the declared type (not None)."""
        kind = node.kind
        if kind in ("datetime", "date", "time"):
            return f"{v}.isoformat()"
        if kind == "uuid":
            return f"_str({v})"
        if kind == "decimal":
            return f"_float({v})"
        if kind == "enum" and self._plain_enum(node):
            return f"{v}.value"
        if kind in ("list", "tuple", "set", "frozenset") and not node.args[0].nullable:
            self.depth += 1
            x = f"_x{self.depth}"
            e = self.trusted_expr(node.args[0], x)
            self.depth -= 1
            return f"[*{v}]" if e == x else f"[{e} for {x} in {v}]"
        return self.value_expr(node, v)

    def trusted_block(self, cls: Any, o: str, r: str) -> None:
        """Lines building ``r`` from ``o``, an instance of exactly ``cls``."""
        b = self.b
        self.inlining.append(cls)
        direct: list[str] = []
        later: list[tuple[Any, str]] = []
        # Reading the instance dict costs the same whatever the instance's layout, where
        # attribute reads specialise on it; slotted classes have no dict.
        if hasattr(cls, "__slots__"):
            read = o + ".{}"
        else:
            d = b.name("d")
            b.line(f"{d} = {o}.__dict__")
            read = d + "[{!r}]"
        for spec in dataclass_fields(cls):
            node = spec.node
            direct_read = spec.dump is None and not node.nullable and node.kind in _READ_ONCE
            if direct_read and (node.kind != "enum" or self._plain_enum(node)):
                # the dump expression reads the value once: no local variable needed
                expr = self.trusted_expr(node, read.format(spec.name))
                direct.append(f"{spec.name!r}: {expr}")
                continue
            nested = (
                spec.dump is None
                and not node.nullable
                and node.kind == "dataclass"
                and self.can_inline(node.cls)
                and not hasattr(node.cls, "__slots__")
            )
            if nested:
                v = read.format(spec.name)  # read once, by the nested block
            else:
                v = b.name("v")
                b.line(f"{v} = {read.format(spec.name)}")
            if spec.dump is not None or node.nullable:
                later.append((spec, v))
            elif (
                node.kind == "dataclass"
                and self.can_inline(node.cls)
                and not any(
                    s.node.nullable or s.dump is not None for s in dataclass_fields(node.cls)
                )
            ):
                # Any object with the attributes will do; a dict raises AttributeError.
                sub = b.name("r")
                self.trusted_block(node.cls, v, sub)
                direct.append(f"{spec.name!r}: {sub}")
                continue
            else:
                direct.append(f"{spec.name!r}: {self.trusted_expr(node, v)}")
        b.line(f"{r} = {{{', '.join(direct)}}}")
        for spec, v in later:
            with b.block(f"if {v} is not None:"):
                if spec.dump is not None:
                    e = self.field_expr(spec, v)
                else:
                    e = self.trusted_expr(spec.node, v)
                b.line(f"{r}[{spec.name!r}] = {e}")
        self.inlining.pop()

    @staticmethod
    def _plain_enum(node: Node) -> bool:
        return all(type(m.value) in (str, int) for m in node.cls)

    def can_inline(self, cls: Any) -> bool:
        return cls not in self.inlining and len(self.inlining) < 3


# Kinds whose trusted dump expression reads the value once.
_READ_ONCE = frozenset(
    ("str", "int", "bool", "float", "datetime", "date", "time", "uuid", "decimal", "enum")
    + ("list", "tuple", "set", "frozenset")
)

# Kinds whose dump expression copes with any value, None included.
_SAFE = frozenset(
    ("str", "int", "bool", "float", "literal", "any", "decimal", "uuid", "datetime", "date")
    + ("time", "timedelta", "enum")
)


def _compile_object(cls: Any) -> Dumper:
    comp = _Compiler()
    b = comp.b
    specs = dataclass_fields(cls)
    names = tuple(s.name for s in specs)
    k = b.const(runtime_class(cls), "cls")
    fn_name = f"_dump_{ident(cls)}"
    with b.block(f"def {fn_name}(_o):"):
        # Trust the declared types of an instance; anything unexpected falls back to the
        # checked paths. (Dicts and records must not get here: an exception costs 1 µs.)
        with b.block(f"if _o.__class__ is {k}:"):
            with b.block("try:"):
                comp.trusted_block(cls, "_o", "_r")
                b.line("return _r")
            with b.block("except (AttributeError, KeyError, TypeError, ValueError):"):
                b.line("pass")
        with b.block(f"if _isinstance(_o, {k}):"):
            comp.instance_block(cls, "_o", "_r")
            b.line("return _r")
        with b.block("if _o.__class__ is not _dict:"):
            b.line(f"_o = _fields_as_dict(_o, {b.const(names, 'names')})")
        b.line("_r = {}")
        comp.fields_block(specs, "_o.get({name!r})")
        b.line("return _r")
    return b.build(fn_name, f"dumper {cls.__module__}.{cls.__qualname__}")


def _compile_typeddict(cls: Any) -> Dumper:
    comp = _Compiler()
    b = comp.b
    specs = typeddict_fields(cls)
    fn_name = f"_dump_{ident(cls)}"
    with b.block(f"def {fn_name}(_o):"):
        with b.block("if _o.__class__ is not _dict:"):
            b.line(f"_o = _fields_as_dict(_o, {b.const(tuple(s.name for s in specs), 'names')})")
        b.line("_r = {}")
        comp.fields_block(specs, "_o.get({name!r})")
        b.line("return _r")
    return b.build(fn_name, f"dumper {cls.__module__}.{cls.__qualname__}")


def _compile_value(node: Node) -> Dumper:
    comp = _Compiler()
    b = comp.b
    with b.block("def _dump_value(_o):"):
        if node.kind == "tuple_fixed":
            parts = []
            for idx, item in enumerate(node.args):
                b.line(f"_i{idx} = _o[{idx}]")
                parts.append(comp.expr(item, f"_i{idx}"))
            b.line(f"return [{', '.join(parts)}]")
        else:
            b.line(f"return {comp.expr(node, '_o')}")
    return b.build("_dump_value", f"dumper {node.kind}")


def _runtime_classes(node: Node) -> tuple[type, ...]:
    kind = node.kind
    simple: dict[str, tuple[type, ...]] = {
        "str": (str,),
        "int": (int,),
        "float": (float, int),
        "bool": (bool,),
        "decimal": (Decimal,),
        "uuid": (UUID,),
        "datetime": (datetime,),
        "date": (date,),
        "time": (time,),
        "timedelta": (timedelta,),
        "list": (list, tuple),
        "tuple": (tuple, list),
        "set": (set, frozenset),
        "frozenset": (frozenset, set),
        "tuple_fixed": (tuple, list),
        "dict": (dict,),
        "typeddict": (dict,),
    }
    if kind in simple:
        return simple[kind]
    if kind in ("dataclass", "enum"):
        return (runtime_class(node.cls),)
    if kind == "literal":
        return tuple({type(v) for v in node.values})
    return (object,)


def _compile_union(node: Node) -> Dumper:
    comp = _Compiler()
    b = comp.b
    # Exact classes first, so True is never dumped by an int option and so on.
    with b.block("def _dump_union(_o):"):
        b.line("_c = _o.__class__")
        for option in node.args:
            classes = _runtime_classes(option)
            with b.block(f"if _c in {b.const(frozenset(classes), 'classes')}:"):
                b.line(f"return {comp.value_expr(option, '_o')}")
        for option in node.args:
            classes = _runtime_classes(option)
            if bool in classes or int in classes and option.kind != "int":
                continue
            with b.block(f"if _isinstance(_o, {b.const(classes, 'classes')}):"):
                b.line(f"return {comp.value_expr(option, '_o')}")
        b.line("return _dump_any(_o)")
    return b.build("_dump_union", "dumper union")


@compiled.compiler(ObjectDumper)
def _object_dumper(key: ObjectDumper) -> Dumper:
    return _compile_object(key.cls)


@compiled.compiler(TypedDictDumper)
def _typeddict_dumper(key: TypedDictDumper) -> Dumper:
    return _compile_typeddict(key.cls)


@compiled.compiler(ValueDumper)
def _value_dumper(key: ValueDumper) -> Dumper:
    return _compile_value(analyze(key.hint))


def dumper_of(schema: Any) -> Dumper:
    """The dumper of a dataclass or of any supported type hint."""
    if is_dataclass_type(schema):
        return compiled.get(ObjectDumper(schema))
    return compiled.get(ValueDumper(schema))
