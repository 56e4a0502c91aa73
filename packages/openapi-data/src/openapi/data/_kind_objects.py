"""Kinds of JSON objects with declared fields: dataclasses and TypedDicts.

Besides the two kinds, the compilers of their keys: a dataclass instance
(``ObjectLoader``, and ``compile_entry`` for ``validated_schema``), the fields present
(``FieldsLoader``, for ``validate``), a TypedDict, and their dumpers. Nested dataclasses
are inlined up to three levels; deeper or recursive ones are called.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import MISSING as DC_MISSING
from typing import Any

from ._codegen import ident
from ._compiled import (
    CompileKey,
    FieldsLoader,
    ObjectDumper,
    ObjectLoader,
    TypedDictDumper,
    TypedDictLoader,
    compiled,
)
from ._dump_emitter import DumpEmitter, Dumper
from ._dump_emitter import kind_of as dump_kind_of
from ._field_specs import (
    FieldSpec,
    dataclass_fields,
    forbids_unknown,
    runtime_class,
    typeddict_fields,
)
from ._kind import Kind, register
from ._load_emitter import LoadEmitter, Loader, child_location
from ._nodes import Node
from ._schema_writer import SchemaRegistry


class ObjectKind(Kind):
    """What dataclasses and TypedDicts share: a compiled function per class, a ``$ref``."""

    loader_key: Callable[[Any], CompileKey]
    dumper_key: Callable[[Any, bool], CompileKey]

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        fn = e.ref(self.loader_key(node.cls), "load_" + ident(node.cls))
        e.b.line(f"{dst} = {fn}({src}, {pre}, _errors)")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return (dict,)

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        key = self.dumper_key(node.cls, e.native_times)
        return f"{e.ref(key, 'dump_' + ident(node.cls))}({v})"

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (dict,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {"$ref": w.ref_to(node.cls)}


@register
class DataclassKind(ObjectKind):
    """A dataclass (or a generic one with its arguments): an object of its fields."""

    names = ("dataclass",)
    loader_key = ObjectLoader
    dumper_key = ObjectDumper

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        if e.can_inline(node.cls):
            emit_object(e, node.cls, src, dst, pre)
        else:
            super().load(e, node, src, dst, pre)

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (runtime_class(node.cls),)


@register
class TypedDictKind(ObjectKind):
    """A TypedDict: an object of its keys, loaded and dumped as a dict."""

    names = ("typeddict",)
    loader_key = TypedDictLoader
    dumper_key = TypedDictDumper


# Loading -----------------------------------------------------------------------


def emit_object(e: LoadEmitter, cls: Any, src: str, dst: str, pre: str) -> None:
    """Lines building the dataclass instance ``dst`` from the mapping ``src`` (strict)."""
    b = e.b
    e.inlining.append(cls)
    n = b.name("n")
    e.emit_mapping_head(src, n)
    specs = [s for s in dataclass_fields(cls) if s.init]
    values: list[tuple[str, str]] = []
    for spec in specs:
        v = b.name("v")
        dst_f = b.name("f")
        values.append((spec.name, dst_f))
        loc = child_location(pre, spec.name)
        if spec.required:
            # A present key costs nothing in a try block; a missing one is an error anyway.
            with b.block("try:"):
                b.line(f"{v} = {src}[{spec.name!r}]")
            with b.block("except KeyError:"):
                e.record(loc, "'required'")
            with b.block("else:"):
                e.emit_field(spec, v, dst_f, spec.name, "pass", pre)
            continue
        b.line(f"{v} = {src}.get({spec.name!r}, _MISSING)")
        with b.block(f"if {v} is _MISSING:"):
            if spec.default_factory is not DC_MISSING:
                b.line(f"{dst_f} = {b.const(spec.default_factory, 'factory')}()")
            elif spec.default is not DC_MISSING:
                default = spec.default
                literal = default is None or type(default) in (bool, int, str)
                b.line(f"{dst_f} = {repr(default) if literal else b.const(default, 'default')}")
            else:
                b.line(f"{dst_f} = None")
        with b.block("else:"):
            e.emit_field(spec, v, dst_f, spec.name, "pass", pre)
    if forbids_unknown(cls):
        e.emit_unknown_check(src, pre, tuple(s.name for s in dataclass_fields(cls)))
    e.flags.pop()
    with b.block(f"if not {n}:"):
        b.line("raise _Invalid()")
    k = b.const(runtime_class(cls), "cls")
    if _plain_init(runtime_class(cls)):
        # What the generated __init__ would do, without the call.
        b.line(f"{dst} = _new({k})")
        for name, var in values:
            b.line(f"{dst}.{name} = {var}")
    else:
        args = ", ".join(f"{name}={var}" for name, var in values)
        b.line(f"{dst} = {k}({args})")
    e.inlining.pop()


def _plain_init(cls: Any) -> bool:
    """True when the class's ``__init__`` is the one dataclasses generated, only storing
    the fields as attributes: the loader then does the same stores without the call."""
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        return False
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or params.frozen or not params.init:
        return False
    init = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    if code is None or code.co_filename != "<string>":
        return False
    if any(f._field_type is not dataclasses._FIELD for f in cls.__dataclass_fields__.values()):  # type: ignore[attr-defined]
        return False
    return all(f.init for f in dataclasses.fields(cls))


@compiled.compiler(ObjectLoader)
def _object_loader(key: ObjectLoader) -> Loader:
    """Load a dataclass instance (strict: required fields must be present)."""
    cls = key.cls
    e = LoadEmitter(multiple=False)
    b = e.b
    fn_name = f"_load_{ident(cls)}"
    with b.block(f"def {fn_name}(_src, _pre, _errors):"):
        emit_object(e, cls, "_src", "_dst", "_pre")
        b.line("return _dst")
    return b.build(fn_name, f"loader {cls.__module__}.{cls.__qualname__}")


def compile_entry(cls: Any, error_cls: type[Exception]) -> Callable[[Any], Any]:
    """``validated_schema(cls, data)`` as one generated function: the root object is
    loaded inline and errors are raised as ``error_cls(errors)``."""
    e = LoadEmitter(multiple=False)
    b = e.b
    b.globals["_ValidationErrors"] = error_cls
    fn_name = f"_validated_{ident(cls)}"
    with b.block(f"def {fn_name}(_src):"):
        b.line("_errors = []")
        with b.block("try:"):
            emit_object(e, cls, "_src", "_dst", "''")
        with b.block("except _Invalid as _e:"):
            with b.block("if _e.args:"):
                b.line("_errors.append({'field': '', 'message': _e.args[0]})")
            b.line("raise _ValidationErrors(_errors) from None")
        with b.block("except RecursionError:"):
            b.line(
                "raise _ValidationErrors([{'field': '', 'message': 'too deeply nested'}]) from None"
            )
        b.line("return _dst")
    return b.build(fn_name, f"validated_schema {cls.__module__}.{cls.__qualname__}")


@compiled.compiler(FieldsLoader)
def _fields_loader(key: FieldsLoader) -> Loader:
    """Load a dataclass as a dict of the keys present (validate())."""
    cls, strict, multiple = key.cls, key.strict, key.multiple
    e = LoadEmitter(multiple=multiple)
    b = e.b
    specs = dataclass_fields(cls)
    fn_name = f"_validate_{ident(cls)}"
    keys: list[str] = []
    with b.block(f"def {fn_name}(_src, _pre, _errors):"):
        e.emit_mapping_head("_src", "_n")
        b.line("_out = {}")
        for spec in specs:
            for name in (spec.name, *(f"{spec.name}:{op}" for op in spec.info.ops)):
                keys.append(name)
                v = b.name("v")
                dst = b.name("y")
                b.line(f"{v} = _src.get({name!r}, _MISSING)")
                if strict and spec.required and name == spec.name:
                    with b.block(f"if {v} is _MISSING:"):
                        e.record(f"_pre + {name!r}", "'required'")
                    block = "else:"
                else:
                    block = f"if {v} is not _MISSING:"
                with b.block(block):
                    e.emit_field(spec, v, dst, name, f"_out[{name!r}] = {dst}")
        if forbids_unknown(cls):
            e.emit_unknown_check("_src", "_pre", tuple(keys))
        e.flags.pop()
        with b.block("if not _n:"):
            b.line("raise _Invalid()")
        b.line("return _out")
    mode = ("strict" if strict else "partial") + (" multiple" if multiple else "")
    return b.build(fn_name, f"validate {mode} {cls.__module__}.{cls.__qualname__}")


@compiled.compiler(TypedDictLoader)
def _typeddict_loader(key: TypedDictLoader) -> Loader:
    cls = key.cls
    e = LoadEmitter(multiple=False)
    b = e.b
    specs = typeddict_fields(cls)
    fn_name = f"_load_{ident(cls)}"
    with b.block(f"def {fn_name}(_src, _pre, _errors):"):
        e.emit_mapping_head("_src", "_n")
        b.line("_out = {}")
        for spec in specs:
            v, dst = b.name("v"), b.name("y")
            b.line(f"{v} = _src.get({spec.name!r}, _MISSING)")
            if spec.required:
                with b.block(f"if {v} is _MISSING:"):
                    b.line(
                        f"_errors.append({{'field': _pre + {spec.name!r}, 'message': 'required'}})"
                    )
                block = "else:"
            else:
                block = f"if {v} is not _MISSING:"
            with b.block(block):
                e.emit_field(spec, v, dst, spec.name, f"_out[{spec.name!r}] = {dst}")
        e.flags.pop()
        with b.block("if not _n:"):
            b.line("raise _Invalid()")
        b.line("return _out")
    return b.build(fn_name, f"loader {cls.__module__}.{cls.__qualname__}")


# Dumping -----------------------------------------------------------------------


def instance_block(e: DumpEmitter, cls: Any, o: str, r: str) -> None:
    """Lines building the dict ``r`` from the instance ``o`` of ``cls``: fields that
    can never be None go in one dict display, the others are added when not None."""
    b = e.b
    e.inlining.append(cls)
    direct: list[str] = []
    later: list[tuple[Any, str]] = []
    for spec in dataclass_fields(cls):
        v = b.name("v")
        b.line(f"{v} = {o}.{spec.name}")
        if spec.dump is None and not spec.node.nullable and dump_kind_of(spec.node).dumps_any_value:
            direct.append(f"{spec.name!r}: {e.value_expr(spec.node, v)}")
        else:
            later.append((spec, v))
    b.line(f"{r} = {{{', '.join(direct)}}}")
    for spec, v in later:
        node = spec.node
        if spec.dump is None and node.kind == "dataclass" and e.can_inline(node.cls):
            k = b.const(runtime_class(node.cls), "cls")
            with b.block(f"if {v}.__class__ is {k}:"):
                sub = b.name("r")
                instance_block(e, node.cls, v, sub)
                b.line(f"{r}[{spec.name!r}] = {sub}")
            with b.block(f"elif {v} is not None:"):
                b.line(f"{r}[{spec.name!r}] = {e.field_expr(spec, v)}")
        else:
            with b.block(f"if {v} is not None:"):
                b.line(f"{r}[{spec.name!r}] = {e.field_expr(spec, v)}")
    e.inlining.pop()


def trusted_block(e: DumpEmitter, cls: Any, o: str, r: str) -> None:
    """Lines building ``r`` from ``o``, an instance of exactly ``cls``."""
    b = e.b
    e.inlining.append(cls)
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
        if spec.dump is None and not node.nullable and dump_kind_of(node).reads_once(e, node):
            # the dump expression reads the value once: no local variable needed
            expr = e.trusted_expr(node, read.format(spec.name))
            direct.append(f"{spec.name!r}: {expr}")
            continue
        nested = (
            spec.dump is None
            and not node.nullable
            and node.kind == "dataclass"
            and e.can_inline(node.cls)
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
            and e.can_inline(node.cls)
            and not any(s.node.nullable or s.dump is not None for s in dataclass_fields(node.cls))
        ):
            # Any object with the attributes will do; a dict raises AttributeError.
            sub = b.name("r")
            trusted_block(e, node.cls, v, sub)
            direct.append(f"{spec.name!r}: {sub}")
            continue
        else:
            direct.append(f"{spec.name!r}: {e.trusted_expr(node, v)}")
    b.line(f"{r} = {{{', '.join(direct)}}}")
    for spec, v in later:
        with b.block(f"if {v} is not None:"):
            if spec.dump is not None:
                expr = e.field_expr(spec, v)
            else:
                expr = e.trusted_expr(spec.node, v)
            b.line(f"{r}[{spec.name!r}] = {expr}")
    e.inlining.pop()


def mapping_block(e: DumpEmitter, specs: tuple[FieldSpec, ...]) -> None:
    """Lines returning the dict of the non-None fields of ``_o``, read as a mapping (a
    dict, any mapping, an asyncpg Record, or an object of another class)."""
    b = e.b
    with b.block("if _o.__class__ is not _dict:"):
        b.line(f"_o = _fields_as_dict(_o, {b.const(tuple(s.name for s in specs), 'names')})")
    b.line("_r = {}")
    e.fields_block(specs, "_o.get({name!r})")
    b.line("return _r")


@compiled.compiler(ObjectDumper)
def _object_dumper(key: ObjectDumper) -> Dumper:
    cls = key.cls
    e = DumpEmitter(key.native_times)
    b = e.b
    specs = dataclass_fields(cls)
    k = b.const(runtime_class(cls), "cls")
    fn_name = f"_dump_{ident(cls)}"
    with b.block(f"def {fn_name}(_o):"):
        # Trust the declared types of an instance; anything unexpected falls back to the
        # checked paths. (Dicts and records must not get here: an exception costs 1 µs.)
        with b.block(f"if _o.__class__ is {k}:"):
            with b.block("try:"):
                trusted_block(e, cls, "_o", "_r")
                b.line("return _r")
            with b.block("except (AttributeError, KeyError, TypeError, ValueError):"):
                b.line("pass")
        with b.block(f"if _isinstance(_o, {k}):"):
            instance_block(e, cls, "_o", "_r")
            b.line("return _r")
        mapping_block(e, specs)
    return b.build(fn_name, f"dumper {cls.__module__}.{cls.__qualname__}")


@compiled.compiler(TypedDictDumper)
def _typeddict_dumper(key: TypedDictDumper) -> Dumper:
    cls = key.cls
    e = DumpEmitter(key.native_times)
    b = e.b
    specs = typeddict_fields(cls)
    fn_name = f"_dump_{ident(cls)}"
    with b.block(f"def {fn_name}(_o):"):
        mapping_block(e, specs)
    return b.build(fn_name, f"dumper {cls.__module__}.{cls.__qualname__}")
