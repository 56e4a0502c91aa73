"""What every generated loader is made of: the :class:`LoadEmitter` and its helpers.

Every generated loader has the signature ``(_src, _pre, _errors)``: ``_src`` the input,
``_pre`` the location prefix of its children (``""`` or ``"owner."``) and ``_errors`` the
list errors are appended to. A loader returns the converted value or raises ``Invalid``:
with a message for the value itself, without one when its children recorded errors.

The lines for a value of one kind come from that kind's ``load`` (``_kind_*.py``),
registered in :data:`LOADS`; this module holds what all kinds share.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from ._compiled import Emitter, ValueLoader, compiled
from ._field_specs import FieldSpec
from ._hints import analyze
from ._input_values import as_mapping, call_post_process, call_validator, parse_json_text
from ._invalid import MISSING, Invalid
from ._nodes import Node

Loader = Callable[[Any, str, list[dict[str, str]]], Any]

_BASE_GLOBALS: dict[str, Any] = {
    "_Invalid": Invalid,
    "_MISSING": MISSING,
    "_as_mapping": as_mapping,
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


class LoadsKind(Protocol):
    """What the load pass asks of a kind."""

    # Values hold items: ``multiple=True`` never reads a list given to them as "any of".
    container: bool
    # Inputs of exactly this class load unchanged when the node has no constraints.
    unchanged_class: type | None

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        """Lines converting the variable ``src`` into ``dst``; children located at ``pre``."""

    def input_classes(self, node: Node) -> tuple[type, ...]:
        """JSON input classes a union tries this option first for."""


LOADS: dict[str, LoadsKind] = {}


def text_literal(text: str) -> str:
    """A Python literal of ``text`` for generated code."""
    return repr(text)


_TAIL = re.compile(r"^(.*?)(?: \+ )?'([^'\\]*)'$")


def child_location(pre: str, suffix: str) -> str:
    """Expression of the location ``pre`` followed by a constant suffix, folded."""
    m = _TAIL.match(pre)
    if m is not None and "'" not in suffix and "\\" not in suffix:
        head, text = m.groups()
        literal = repr(text + suffix)
        return f"{head} + {literal}" if head else literal
    return f"{pre} + {suffix!r}"


def _same(value: Any) -> Any:
    return value


class LoadEmitter(Emitter):
    """Emit the body of one generated module (one loader function plus helpers)."""

    def __init__(self, multiple: bool) -> None:
        super().__init__(_BASE_GLOBALS)
        self.multiple = multiple
        self.flags: list[str] = []

    def record(self, loc: str, message: str, flag: bool = True) -> None:
        """Lines appending an error (both arguments are expressions) and, unless told
        otherwise, clearing the no-error flag of the object being loaded."""
        self.b.line("_errors.append({'field': " + loc + ", 'message': " + message + "})")
        if flag and self.flags:
            self.b.line(f"{self.flags[-1]} = False")

    # values ------------------------------------------------------------------

    def emit(self, node: Node, src: str, dst: str, pre: str) -> None:
        """Lines converting the variable ``src`` into ``dst``; children located at ``pre``."""
        if node.nullable and node.kind != "any":
            with self.b.block(f"if {src} is None:"):
                self.b.line(f"{dst} = None")
            with self.b.block("else:"):
                kind_of(node).load(self, node, src, dst, pre)
        else:
            kind_of(node).load(self, node, src, dst, pre)

    def emit_bounds(
        self,
        node: Node,
        src: str,
        bound: Callable[[Any], Any] = _same,
        divisor: Callable[[Any], Any] = _same,
    ) -> None:
        """Checks of ``ge``, ``gt``, ``le``, ``lt`` and ``multiple_of``; ``bound`` and
        ``divisor`` give the declared numbers the class of the values compared."""
        b = self.b
        c = node.c
        for value, op, text in (
            (c.ge, "<", "greater than or equal to"),
            (c.gt, "<=", "greater than"),
            (c.le, ">", "less than or equal to"),
            (c.lt, ">=", "less than"),
        ):
            if value is not None:
                value = bound(value)
                literal = repr(value) if type(value) in (int, float) else b.const(value, "bound")
                with b.block(f"if {src} {op} {literal}:"):
                    b.line(f"raise _Invalid({text_literal(f'must be {text} {value}')})")
        if c.multiple_of is not None:
            m = b.const(divisor(c.multiple_of), "mult")
            message = text_literal(f"must be a multiple of {c.multiple_of}")
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
            text = f"must {verb} at least {_count(c.min_length, unit)}{tail}"
            with b.block(f"if _len({src}) < {c.min_length}:"):
                b.line(f"raise _Invalid({text_literal(text)})")
        if c.max_length is not None:
            text = f"must {verb} at most {_count(c.max_length, unit)}{tail}"
            with b.block(f"if _len({src}) > {c.max_length}:"):
                b.line(f"raise _Invalid({text_literal(text)})")

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

    def emit_field(
        self, spec: FieldSpec, src: str, dst: str, key: str, on_ok: str, pre: str = "_pre"
    ) -> None:
        """Load ``src`` (present in the input under ``key``) into ``dst`` then run ``on_ok``."""
        b = self.b
        e = b.name("e")
        loc = child_location(pre, key)
        with b.block("try:"):
            if spec.validator is not None:
                v = b.const(spec.validator, "validator")
                f = b.const(spec.field, "field")
                b.line(f"{src} = {b.const(call_validator, 'call_validator')}({v}, {f}, {src})")
            node = spec.node
            if node.c.json:  # json_field(): JSON text is parsed before type validation
                b.line(f"{src} = {b.const(parse_json_text, 'json')}({src})")
            if self.multiple and not kind_of(node).container:
                self.emit_any_of(spec, src, dst, loc)
            else:
                self.emit(node, src, dst, child_location(pre, key + "."))
            if spec.post_process is not None:
                post = b.const(spec.post_process, "post")
                b.line(f"{dst} = {b.const(call_post_process, 'call_post')}({post}, {dst})")
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


def kind_of(node: Node) -> LoadsKind:
    try:
        return LOADS[node.kind]
    except KeyError:
        raise TypeError(f"cannot compile a loader for {node.kind}") from None


def compile_value(node: Node, multiple: bool, label: str) -> Loader:
    """The loader of a value of any kind."""
    e = LoadEmitter(multiple=multiple)
    b = e.b
    with b.block("def _load_value(_src, _pre, _errors):"):
        e.emit(node, "_src", "_dst", "_pre")
        b.line("return _dst")
    return b.build("_load_value", f"loader {label}")


@compiled.compiler(ValueLoader)
def _value_loader(key: ValueLoader) -> Loader:
    return compile_value(analyze(key.hint), key.multiple, repr(key.hint))


def _count(n: int, unit: str) -> str:
    """``1 character``, ``2 characters``: ``unit`` is a plural ending in s."""
    return f"{n} {unit[:-1] if n == 1 else unit}"
