"""What every generated dumper is made of: the :class:`DumpEmitter` and its helpers.

A dumper turns a value into JSON-ready data. The expression for a value of one kind
comes from that kind's ``dump`` (``_kind_*.py``), registered in :data:`DUMPS`; this
module holds what all kinds share.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from ._compiled import Emitter, ValueDumper, compiled
from ._field_specs import FieldSpec
from ._hints import analyze
from ._nodes import Node
from ._output_values import dump_any, duration_text, fields_as_dict

Dumper = Callable[[Any], Any]

_BASE_GLOBALS: dict[str, Any] = {
    "_dump_any": dump_any,
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
    "_duration": duration_text,
    "_utc": UTC,
    "_fields_as_dict": fields_as_dict,
}


class DumpsKind(Protocol):
    """What the dump pass asks of a kind."""

    # The dump expression copes with any value, None included.
    dumps_any_value: bool

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        """An expression dumping the variable ``v``, whatever its class."""

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        """An expression dumping ``v`` known to have the declared type (not None)."""

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        """The trusted expression reads ``v`` once: it may be an attribute read."""

    def value_classes(self, node: Node) -> tuple[type, ...]:
        """Python classes of the values of this kind: a union picks its option by them."""


DUMPS: dict[str, DumpsKind] = {}


class DumpEmitter(Emitter):
    """Emit the body of one generated module (one dumper function plus helpers)."""

    def __init__(self, native_times: bool = False) -> None:
        super().__init__(_BASE_GLOBALS)
        self.depth = 0
        self.native_times = native_times
        """leave to the JSON encoder the times it writes as ``isoformat()`` would"""

    def item_variable(self, hint: str) -> str:
        """A comprehension variable of the current depth: ``_x1``, ``_k2``."""
        return f"_{hint}{self.depth}"

    def expr(self, node: Node, v: str) -> str:
        """An expression dumping the variable ``v`` (never ``None`` unless nullable)."""
        inner = self.value_expr(node, v)
        if node.nullable and inner != v:
            return f"(None if {v} is None else {inner})"
        return inner

    def value_expr(self, node: Node, v: str) -> str:
        return kind_of(node).dump(self, node, v)

    def trusted_expr(self, node: Node, v: str) -> str:
        """Dump ``v`` assuming it has the declared type (not None)."""
        return kind_of(node).dump_trusted(self, node, v)

    def fields_block(self, specs: Iterable[FieldSpec], get: str) -> None:
        """Copy each non-None field into ``_r``; ``get`` formats the read of a name."""
        b = self.b
        for spec in specs:
            v = b.name("v")
            b.line(f"{v} = {get.format(name=spec.name)}")
            with b.block(f"if {v} is not None:"):
                b.line(f"_r[{spec.name!r}] = {self.field_expr(spec, v)}")

    def field_expr(self, spec: FieldSpec, v: str) -> str:
        if spec.dump is not None:
            return f"_dump_any({self.b.const(spec.dump, 'dumpfn')}({v}))"
        return self.value_expr(spec.node, v)


def kind_of(node: Node) -> DumpsKind:
    try:
        return DUMPS[node.kind]
    except KeyError:
        raise TypeError(f"cannot compile a dumper for {node.kind}") from None


def compile_value(node: Node, native_times: bool = False) -> Dumper:
    """The dumper of a value of any kind."""
    e = DumpEmitter(native_times)
    b = e.b
    with b.block("def _dump_value(_o):"):
        b.line(f"return {e.expr(node, '_o')}")
    return b.build("_dump_value", f"dumper {node.kind}")


@compiled.compiler(ValueDumper)
def _value_dumper(key: ValueDumper) -> Dumper:
    return compile_value(analyze(key.hint), key.native_times)
