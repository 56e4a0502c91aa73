"""Compile loaders: a Python function per type, generated once and cached.

Every generated loader has the signature ``(_src, _pre, _errors)``: ``_src`` the input,
``_pre`` the location prefix of its children (``""`` or ``"owner."``) and ``_errors`` the
list errors are appended to. A loader returns the converted value or raises ``Invalid``:
with a message for the value itself, without one when its children recorded errors.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable
from dataclasses import MISSING as DC_MISSING
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from . import _input_values as C
from ._codegen import CodeBuilder, ident
from ._compiled import (
    CompileKey,
    FieldsLoader,
    ObjectLoader,
    TypedDictLoader,
    UnionLoader,
    ValueLoader,
    compiled,
)
from ._field_specs import (
    FieldSpec,
    dataclass_fields,
    discriminator,
    forbids_unknown,
    is_dataclass_type,
    runtime_class,
    typeddict_fields,
)
from ._hints import analyze
from ._invalid import MISSING, Invalid
from ._nodes import CONTAINERS, EMPTY, Node

Loader = Callable[[Any, str, list[dict[str, str]]], Any]

_BASE_GLOBALS: dict[str, Any] = {
    "_Invalid": Invalid,
    "_MISSING": MISSING,
    "_as_mapping": C.as_mapping,
    "_str": str,
    "_list": list,
    "_tuple": tuple,
    "_dict": dict,
    "_int": int,
    "_float": float,
    "_isinstance": isinstance,
    "_len": len,
    "_enumerate": enumerate,
    "_new": object.__new__,
    "_bool": bool,
}

_FAST_ITEMS = {"str": "_str", "int": "_int", "bool": "_bool"}

_FROMISO = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
}


def _str_const(text: str) -> str:
    return repr(text)


_TAIL = re.compile(r"^(.*?)(?: \+ )?'([^'\\]*)'$")


def _child(pre: str, suffix: str) -> str:
    """Expression of the location ``pre`` followed by a constant suffix, folded."""
    m = _TAIL.match(pre)
    if m is not None and "'" not in suffix and "\\" not in suffix:
        head, text = m.groups()
        literal = repr(text + suffix)
        return f"{head} + {literal}" if head else literal
    return f"{pre} + {suffix!r}"


class _Compiler:
    """Emit the body of one generated module (one loader function plus helpers)."""

    def __init__(self, multiple: bool) -> None:
        self.b = CodeBuilder(_BASE_GLOBALS)
        self.multiple = multiple
        self.inlining: list[Any] = []
        self.flags: list[str] = []

    def record(self, loc: str, message: str, flag: bool = True) -> None:
        """Lines appending an error (both arguments are expressions) and, unless told
        otherwise, clearing the no-error flag of the object being loaded."""
        self.b.line("_errors.append({'field': " + loc + ", 'message': " + message + "})")
        if flag and self.flags:
            self.b.line(f"{self.flags[-1]} = False")

    # references to other loaders (recursion-safe) ---------------------------

    def ref(self, key: CompileKey, hint: str) -> str:
        """A global name of the generated code bound to the loader of ``key``."""
        name = self.b.name(hint)
        compiled.bind(self.b.globals, name, key)
        return name

    # values ------------------------------------------------------------------

    def emit(self, node: Node, src: str, dst: str, pre: str) -> None:
        """Lines converting the variable ``src`` into ``dst``; children located at ``pre``."""
        if node.nullable and node.kind != "any":
            with self.b.block(f"if {src} is None:"):
                self.b.line(f"{dst} = None")
            with self.b.block("else:"):
                self.emit_value(node, src, dst, pre)
        else:
            self.emit_value(node, src, dst, pre)

    def emit_value(self, node: Node, src: str, dst: str, pre: str) -> None:
        b = self.b
        kind = node.kind
        c = node.c
        q = self.multiple
        if kind == "any":
            b.line(f"{dst} = {src}")
            return
        if kind == "none":
            b.line("raise _Invalid('expected null')")
            return
        if kind == "str":
            with b.block(f"if {src}.__class__ is not _str and not _isinstance({src}, _str):"):
                b.line("raise _Invalid('expected a string')")
            self.emit_length(node, src, "characters")
            if c.pattern is not None:
                rx = b.const(re.compile(c.pattern).search, "rx")
                with b.block(f"if {rx}({src}) is None:"):
                    b.line(f"raise _Invalid({_str_const('must match pattern ' + c.pattern)})")
            if c.format == "email":
                rx = b.const(C.EMAIL_RE.fullmatch, "email")
                with b.block(f"if {rx}({src}) is None:"):
                    b.line("raise _Invalid('not a valid email address')")
            elif c.format == "uuid":
                b.line(f"{src} = {b.const(C.uuid_text, 'uuid')}({src})")
            if c.enum_cls is not None:
                fn = C.enum_loader(c.enum_cls, q, as_name=True)
                b.line(f"{src} = {b.const(fn, 'enum')}({src})")
            b.line(f"{dst} = {src}")
            return
        if kind == "int":
            conv = b.const(C.to_int_q if q else C.to_int, "to_int")
            with b.block(f"if {src}.__class__ is not _int:"):
                b.line(f"{src} = {conv}({src})")
            self.emit_bounds(node, src)
            b.line(f"{dst} = {src}")
            return
        if kind == "float":
            conv = b.const(C.to_float_q if q else C.to_float, "to_float")
            with b.block(f"if {src}.__class__ is not _float:"):
                b.line(f"{src} = {conv}({src})")
            if c.enum_cls is None and c.precision is None and not self._has_bounds(node):
                b.line(f"{dst} = {src}")
                return
            self.emit_bounds(node, src)
            if c.precision is not None:
                b.line(f"{src} = round({src}, {c.precision})")
            b.line(f"{dst} = {src}")
            return
        if kind == "bool":
            conv = b.const(C.to_bool_q if q else C.to_bool, "to_bool")
            with b.block(f"if {src} is not True and {src} is not False:"):
                b.line(f"{src} = {conv}({src})")
            b.line(f"{dst} = {src}")
            return
        if kind == "decimal":
            conv = b.const(C.to_decimal_q if q else C.to_decimal, "to_decimal")
            b.line(f"{src} = {conv}({src})")
            self.emit_bounds(node, src)
            if c.precision is not None:
                with b.block("try:"):
                    b.line(f"{src} = round({src}, {c.precision})")
                with b.block("except ArithmeticError:"):
                    b.line("raise _Invalid('number out of range')")
            b.line(f"{dst} = {src}")
            return
        if kind in ("uuid", "datetime", "date", "time", "timedelta"):
            fn = {
                "uuid": C.to_uuid,
                "datetime": C.to_datetime,
                "date": C.to_date,
                "time": C.to_time,
                "timedelta": C.to_timedelta_q if q else C.to_timedelta,
            }[kind]
            if kind in ("datetime", "date", "time"):
                parse = b.const(_FROMISO[kind], "fromiso")
                with b.block(f"if {src}.__class__ is _str:"):
                    with b.block("try:"):
                        b.line(f"{src} = {parse}({src})")
                    with b.block("except ValueError:"):
                        b.line(f"raise _Invalid('not a valid {kind}')")
                with b.block("else:"):
                    b.line(f"{src} = {b.const(fn, 'to_' + kind)}({src})")
            else:
                b.line(f"{src} = {b.const(fn, 'to_' + kind)}({src})")
            if kind == "datetime" and c.tz:
                b.line(f"{src} = {b.const(C.aware, 'aware')}({src})")
            if kind in ("datetime", "date", "time", "timedelta") and self._has_bounds(node):
                # naive and aware datetimes do not compare
                with b.block("try:"):
                    self.emit_bounds(node, src)
                with b.block("except TypeError:"):
                    b.line("raise _Invalid('not comparable with the bounds')")
            b.line(f"{dst} = {src}")
            return
        if kind == "enum":
            fn = C.enum_loader(node.cls, q, as_name=False)
            b.line(f"{dst} = {b.const(fn, 'enum')}({src})")
            return
        if kind == "literal":
            fn = C.literal_loader(node.values, q)
            b.line(f"{dst} = {b.const(fn, 'literal')}({src})")
            return
        if kind in ("list", "tuple", "set", "frozenset"):
            self.emit_sequence(node, src, dst, pre)
            return
        if kind == "tuple_fixed":
            self.emit_fixed_tuple(node, src, dst, pre)
            return
        if kind == "dict":
            self.emit_dict(node, src, dst, pre)
            return
        if kind == "dataclass" and self.can_inline(node.cls):
            self.emit_object(node.cls, src, dst, pre)
            return
        if kind == "dataclass":
            ref = self.ref(ObjectLoader(node.cls), "load_" + ident(node.cls))
            b.line(f"{dst} = {ref}({src}, {pre}, _errors)")
            return
        if kind == "typeddict":
            ref = self.ref(TypedDictLoader(node.cls), "load_" + ident(node.cls))
            b.line(f"{dst} = {ref}({src}, {pre}, _errors)")
            return
        if kind == "union":
            ref = self.ref(UnionLoader(node, self.multiple), "union")
            b.line(f"{dst} = {ref}({src}, {pre}, _errors)")
            return
        raise TypeError(f"cannot compile a loader for {kind}")

    @staticmethod
    def _has_bounds(node: Node) -> bool:
        c = node.c
        return any(x is not None for x in (c.ge, c.gt, c.le, c.lt, c.multiple_of))

    def emit_bounds(self, node: Node, src: str) -> None:
        b = self.b
        c = node.c
        for value, op, text in (
            (c.ge, "<", "greater than or equal to"),
            (c.gt, "<=", "greater than"),
            (c.le, ">", "less than or equal to"),
            (c.lt, ">=", "less than"),
        ):
            if value is not None:
                if node.kind == "decimal" and not isinstance(value, Decimal):
                    value = Decimal(str(value))
                literal = repr(value) if type(value) in (int, float) else b.const(value, "bound")
                with b.block(f"if {src} {op} {literal}:"):
                    b.line(f"raise _Invalid({_str_const(f'must be {text} {value}')})")
        if c.multiple_of is not None:
            mult = c.multiple_of
            if node.kind == "decimal" and not isinstance(mult, Decimal):
                mult = Decimal(str(mult))
            elif node.kind == "int" and isinstance(mult, float):
                mult = Decimal(str(mult))
            elif node.kind == "float":
                mult = float(mult)
            m = b.const(mult, "mult")
            message = _str_const(f"must be a multiple of {c.multiple_of}")
            # Decimal raises (DivisionImpossible) where the quotient has too many digits.
            with b.block("try:"):
                b.line(f"_r = {src} % {m}")
            with b.block("except ArithmeticError:"):
                b.line(f"raise _Invalid({message})")
            with b.block("if _r != 0:"):
                b.line(f"raise _Invalid({message})")

    def emit_length(self, node: Node, src: str, unit: str) -> None:
        """Length checks: ``unit`` is "characters", "items" or "properties"."""
        b = self.b
        c = node.c
        verb, tail = ("be", " long") if unit == "characters" else ("have", "")
        if c.min_length is not None and c.min_length > 0:
            text = f"must {verb} at least {c.min_length} {unit}{tail}"
            with b.block(f"if _len({src}) < {c.min_length}:"):
                b.line(f"raise _Invalid({_str_const(text)})")
        if c.max_length is not None:
            text = f"must {verb} at most {c.max_length} {unit}{tail}"
            with b.block(f"if _len({src}) > {c.max_length}:"):
                b.line(f"raise _Invalid({_str_const(text)})")

    def emit_item(self, node: Node, src: str, dst: str, loc: str, on_ok: str, bad: str) -> None:
        """One item of a container: converted into ``dst`` then ``on_ok`` runs; an error is
        recorded at the location expression ``loc`` and sets the flag ``bad``."""
        b = self.b
        e = b.name("e")
        with b.block("try:"):
            self.emit(node, src, dst, f"{loc} + '.'")
            b.line(on_ok)
        with b.block(f"except _Invalid as {e}:"):
            b.line(f"{bad} = True")
            with b.block(f"if {e}.args:"):
                b.line(f"_errors.append({{'field': {loc}, 'message': {e}.args[0]}})")

    def emit_sequence(self, node: Node, src: str, dst: str, pre: str) -> None:
        b = self.b
        if self.multiple:
            with b.block(f"if _isinstance({src}, _str):"):
                b.line(f"{src} = [{src}]")
        with b.block(
            f"if {src}.__class__ is not _list and not _isinstance({src}, (_list, _tuple)):"
        ):
            b.line("raise _Invalid('expected a list')")
        self.emit_length(node, src, "items")
        item = node.args[0]
        out = b.name("out")
        if item.kind == "any":
            b.line(f"{out} = [*{src}]")
        elif (
            item.kind in _FAST_ITEMS and item.c == EMPTY and not item.nullable and not self.multiple
        ):
            # Fast path: check the classes only; the full loop explains a failure.
            x = b.name("x")
            with b.block(f"for {x} in {src}:"):
                with b.block(f"if {x}.__class__ is not {_FAST_ITEMS[item.kind]}:"):
                    self.emit_sequence_loop(item, src, out, pre)
                    b.line("break")
            with b.block("else:"):
                b.line(f"{out} = [*{src}]")
        else:
            self.emit_sequence_loop(item, src, out, pre)
        if node.kind == "list":
            b.line(f"{dst} = {out}")
        else:
            conv = {"tuple": tuple, "set": set, "frozenset": frozenset}[node.kind]
            with b.block("try:"):
                b.line(f"{dst} = {b.const(conv, node.kind)}({out})")
            with b.block("except TypeError:"):
                b.line("raise _Invalid('items must be hashable')")

    def emit_sequence_loop(self, item: Node, src: str, out: str, pre: str) -> None:
        b = self.b
        i, x, y, bad = b.name("i"), b.name("x"), b.name("y"), b.name("bad")
        b.line(f"{out} = []")
        b.line(f"{bad} = False")
        with b.block(f"for {i}, {x} in _enumerate({src}):"):
            loc = f"{pre} + _str({i})" if pre != "''" else f"_str({i})"
            self.emit_item(item, x, y, loc, f"{out}.append({y})", bad)
        with b.block(f"if {bad}:"):
            b.line("raise _Invalid()")

    def emit_fixed_tuple(self, node: Node, src: str, dst: str, pre: str) -> None:
        b = self.b
        n = len(node.args)
        with b.block(f"if not _isinstance({src}, (_list, _tuple)):"):
            b.line("raise _Invalid('expected a list')")
        with b.block(f"if _len({src}) != {n}:"):
            b.line(f"raise _Invalid({_str_const(f'expected {n} items')})")
        out, bad = b.name("out"), b.name("bad")
        b.line(f"{out} = []")
        b.line(f"{bad} = False")
        for idx, item in enumerate(node.args):
            x, y = b.name("x"), b.name("y")
            b.line(f"{x} = {src}[{idx}]")
            self.emit_item(item, x, y, _child(pre, str(idx)), f"{out}.append({y})", bad)
        with b.block(f"if {bad}:"):
            b.line("raise _Invalid()")
        b.line(f"{dst} = _tuple({out})")

    def emit_dict(self, node: Node, src: str, dst: str, pre: str) -> None:
        b = self.b
        with b.block(f"if not _isinstance({src}, _dict):"):
            b.line(f"{src} = _as_mapping({src})")
        self.emit_length(node, src, "properties")
        key, value = node.args
        out = b.name("out")
        if key.kind in ("str", "any") and key.c == EMPTY and value.kind == "any":
            b.line(f"{out} = _dict({src})")
        else:
            k, x, kk, y, bad = b.name("k"), b.name("x"), b.name("kk"), b.name("y"), b.name("bad")
            b.line(f"{out} = {{}}")
            b.line(f"{bad} = False")
            with b.block(f"for {k}, {x} in {src}.items():"):
                loc = f"{pre} + _str({k})" if pre != "''" else f"_str({k})"
                saved = self.multiple
                self.multiple = True  # object keys are always text: coerce them like a query
                e = b.name("e")
                with b.block("try:"):
                    self.emit(key, k, kk, f"{loc} + '.'")
                with b.block(f"except _Invalid as {e}:"):
                    b.line(f"{bad} = True")
                    reason = f"({e}.args[0] if {e}.args else 'invalid')"
                    self.record(loc, f"'invalid key: ' + {reason}")
                    b.line("continue")
                self.multiple = saved
                self.emit_item(value, x, y, loc, f"{out}[{kk}] = {y}", bad)
            with b.block(f"if {bad}:"):
                b.line("raise _Invalid()")
        b.line(f"{dst} = {out}")

    # fields of an object -----------------------------------------------------

    def emit_field(
        self, spec: FieldSpec, src: str, dst: str, key: str, on_ok: str, pre: str = "_pre"
    ) -> None:
        """Load ``src`` (present in the input under ``key``) into ``dst`` then run ``on_ok``."""
        b = self.b
        e = b.name("e")
        loc = _child(pre, key)
        with b.block("try:"):
            if spec.validator is not None:
                v = b.const(spec.validator, "validator")
                f = b.const(spec.field, "field")
                b.line(f"{src} = {b.const(C.call_validator, 'call_validator')}({v}, {f}, {src})")
            node = spec.node
            if node.c.json:  # json_field(): JSON text is parsed before type validation
                b.line(f"{src} = {b.const(C.parse_json_text, 'json')}({src})")
            if self.multiple and node.kind not in CONTAINERS:
                self.emit_any_of(spec, src, dst, loc)
            else:
                self.emit(node, src, dst, _child(pre, key + "."))
            if spec.post_process is not None:
                b.line(f"{dst} = {b.const(spec.post_process, 'post')}({dst})")
            if on_ok != "pass":
                b.line(on_ok)
        with b.block(f"except _Invalid as {e}:"):
            if self.flags:
                b.line(f"{self.flags[-1]} = False")
            with b.block(f"if {e}.args:"):
                self.record(loc, f"{e}.args[0]", flag=False)

    def emit_any_of(self, spec: FieldSpec, src: str, dst: str, loc: str) -> None:
        """Query strings: a list for a scalar field means any of its values."""
        b = self.b
        with b.block(f"if {src}.__class__ is _list:"):
            x, y, out = b.name("x"), b.name("y"), b.name("out")
            b.line(f"{out} = []")
            with b.block(f"for {x} in {src}:"):
                self.emit(spec.node, x, y, f"{loc} + '.'")
                b.line(f"{out}.append({y})")
            b.line(f"{dst} = {out}")
        with b.block("else:"):
            self.emit(spec.node, src, dst, f"{loc} + '.'")

    def emit_mapping_head(self, src: str, n: str) -> None:
        """Make ``src`` a dict; ``n`` becomes the flag that stays True while no error is seen."""
        b = self.b
        self.flags.append(n)
        with b.block(f"if {src}.__class__ is not _dict:"):
            b.line(f"{src} = _as_mapping({src})")
        b.line(f"{n} = True")

    def emit_unknown_check(self, src: str, pre: str, names: tuple[str, ...]) -> None:
        b = self.b
        known = b.const(frozenset(names), "known")
        k = b.name("k")
        with b.block(f"for {k} in {src}:"):
            with b.block(f"if {k} not in {known}:"):
                self.record(f"{pre} + _str({k})", "'unknown field'")

    def emit_object(self, cls: Any, src: str, dst: str, pre: str) -> None:
        """Lines building the dataclass instance ``dst`` from the mapping ``src`` (strict)."""
        b = self.b
        self.inlining.append(cls)
        n = b.name("n")
        self.emit_mapping_head(src, n)
        specs = [s for s in dataclass_fields(cls) if s.init]
        values: list[tuple[str, str]] = []
        for spec in specs:
            v = b.name("v")
            dst_f = b.name("f")
            values.append((spec.name, dst_f))
            loc = _child(pre, spec.name)
            if spec.required:
                # A present key costs nothing in a try block; a missing one is an error anyway.
                with b.block("try:"):
                    b.line(f"{v} = {src}[{spec.name!r}]")
                with b.block("except KeyError:"):
                    self.record(loc, "'required'")
                with b.block("else:"):
                    self.emit_field(spec, v, dst_f, spec.name, "pass", pre)
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
                self.emit_field(spec, v, dst_f, spec.name, "pass", pre)
        if forbids_unknown(cls):
            self.emit_unknown_check(src, pre, tuple(s.name for s in dataclass_fields(cls)))
        self.flags.pop()
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
        self.inlining.pop()

    def can_inline(self, cls: Any) -> bool:
        return cls not in self.inlining and len(self.inlining) < 3


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


def _compile_object(cls: Any) -> Loader:
    """Load a dataclass instance (strict: required fields must be present)."""
    comp = _Compiler(multiple=False)
    b = comp.b
    fn_name = f"_load_{ident(cls)}"
    with b.block(f"def {fn_name}(_src, _pre, _errors):"):
        comp.emit_object(cls, "_src", "_dst", "_pre")
        b.line("return _dst")
    return b.build(fn_name, f"loader {cls.__module__}.{cls.__qualname__}")


def compile_entry(cls: Any, error_cls: type[Exception]) -> Callable[[Any], Any]:
    """``validated_schema(cls, data)`` as one generated function: the root object is
    loaded inline and errors are raised as ``error_cls(errors)``."""
    comp = _Compiler(multiple=False)
    b = comp.b
    b.globals["_ValidationErrors"] = error_cls
    fn_name = f"_validated_{ident(cls)}"
    with b.block(f"def {fn_name}(_src):"):
        b.line("_errors = []")
        with b.block("try:"):
            comp.emit_object(cls, "_src", "_dst", "''")
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


def _compile_dict(cls: Any, strict: bool, multiple: bool) -> Loader:
    """Load a dataclass as a dict of the keys present (validate())."""
    comp = _Compiler(multiple=multiple)
    b = comp.b
    specs = dataclass_fields(cls)
    fn_name = f"_validate_{ident(cls)}"
    keys: list[str] = []
    with b.block(f"def {fn_name}(_src, _pre, _errors):"):
        comp.emit_mapping_head("_src", "_n")
        b.line("_out = {}")
        for spec in specs:
            for key in (spec.name, *(f"{spec.name}:{op}" for op in spec.info.ops)):
                keys.append(key)
                v = b.name("v")
                dst = b.name("y")
                b.line(f"{v} = _src.get({key!r}, _MISSING)")
                if strict and spec.required and key == spec.name:
                    with b.block(f"if {v} is _MISSING:"):
                        comp.record(f"_pre + {key!r}", "'required'")
                    block = "else:"
                else:
                    block = f"if {v} is not _MISSING:"
                with b.block(block):
                    comp.emit_field(spec, v, dst, key, f"_out[{key!r}] = {dst}")
        if forbids_unknown(cls):
            comp.emit_unknown_check("_src", "_pre", tuple(keys))
        comp.flags.pop()
        with b.block("if not _n:"):
            b.line("raise _Invalid()")
        b.line("return _out")
    mode = ("strict" if strict else "partial") + (" multiple" if multiple else "")
    return b.build(fn_name, f"validate {mode} {cls.__module__}.{cls.__qualname__}")


def _compile_typeddict(cls: Any) -> Loader:
    comp = _Compiler(multiple=False)
    b = comp.b
    specs = typeddict_fields(cls)
    fn_name = f"_load_{ident(cls)}"
    with b.block(f"def {fn_name}(_src, _pre, _errors):"):
        comp.emit_mapping_head("_src", "_n")
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
                comp.emit_field(spec, v, dst, spec.name, f"_out[{spec.name!r}] = {dst}")
        comp.flags.pop()
        with b.block("if not _n:"):
            b.line("raise _Invalid()")
        b.line("return _out")
    return b.build(fn_name, f"loader {cls.__module__}.{cls.__qualname__}")


def _compile_value(node: Node, multiple: bool, label: str) -> Loader:
    comp = _Compiler(multiple=multiple)
    b = comp.b
    with b.block("def _load_value(_src, _pre, _errors):"):
        comp.emit(node, "_src", "_dst", "_pre")
        b.line("return _dst")
    return b.build("_load_value", f"loader {label}")


_EXACT: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float,),
    "bool": (bool,),
    "decimal": (float,),
    "dataclass": (dict,),
    "typeddict": (dict,),
    "dict": (dict,),
    "list": (list,),
    "tuple": (list,),
    "set": (list,),
    "frozenset": (list,),
    "tuple_fixed": (list,),
}


def _compile_union(node: Node, multiple: bool) -> Loader:
    comp = _Compiler(multiple=multiple)
    b = comp.b
    options = node.args
    disc = discriminator(options)
    with b.block("def _load_union(_src, _pre, _errors):"):
        if disc is not None:
            name, table = disc
            with b.block("if not _isinstance(_src, _dict):"):
                b.line("_src = _as_mapping(_src)")
            b.line(f"_t = _src.get({name!r}, _MISSING)")
            for value, option in table.items():
                key = (
                    ObjectLoader(option.cls)
                    if option.kind == "dataclass"
                    else TypedDictLoader(option.cls)
                )
                fn = comp.ref(key, "load_" + ident(option.cls))
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
                comp.record(f"_pre + {name!r}", _str_const("must be one of: " + choices))
            b.line("raise _Invalid()")
        else:
            fns = []
            for option in options:
                if option.kind == "dataclass":
                    fns.append(comp.ref(ObjectLoader(option.cls), "load_" + ident(option.cls)))
                else:
                    fns.append(
                        b.const(
                            _compile_value(option, multiple, f"union option {option.kind}"),
                            "option",
                        )
                    )
            b.line("_c = _src.__class__")
            for option, fn in zip(options, fns, strict=True):
                exact = _EXACT.get(option.kind)
                if option.kind == "enum":
                    exact = tuple({type(m.value) for m in option.cls})
                elif option.kind == "literal":
                    exact = tuple({type(v) for v in option.values})
                if exact is None:
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


@compiled.compiler(ObjectLoader)
def _object_loader(key: ObjectLoader) -> Loader:
    return _compile_object(key.cls)


@compiled.compiler(FieldsLoader)
def _fields_loader(key: FieldsLoader) -> Loader:
    return _compile_dict(key.cls, key.strict, key.multiple)


@compiled.compiler(TypedDictLoader)
def _typeddict_loader(key: TypedDictLoader) -> Loader:
    return _compile_typeddict(key.cls)


@compiled.compiler(UnionLoader)
def _union_loader(key: UnionLoader) -> Loader:
    return _compile_union(key.node, key.multiple)


@compiled.compiler(ValueLoader)
def _value_loader(key: ValueLoader) -> Loader:
    return _compile_value(analyze(key.hint), key.multiple, repr(key.hint))


def loader_of(schema: Any, *, strict: bool, multiple: bool) -> Loader:
    """The loader ``validate()`` runs: the fields present of a dataclass as a dict, or the
    value of any other supported type hint."""
    if is_dataclass_type(schema):
        return compiled.get(FieldsLoader(schema, strict, multiple))
    return compiled.get(ValueLoader(schema, multiple))
