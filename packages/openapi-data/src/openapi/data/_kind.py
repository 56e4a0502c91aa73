"""The contract of a kind of type, and ``@register`` that puts a kind in all three passes.

A kind says how its values load (lines of a generated loader), dump (an expression of
a generated dumper) and are described (a JSON Schema). Each kind is a small class in a
``_kind_*.py`` module, registered under the names :func:`~._hints.analyze` gives its
nodes (and ``classes``, the Python classes that are the kind); adding a kind (an
uploaded file, say) is one class and one ``@register``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from ._dump_emitter import DUMPS, DumpEmitter
from ._hints import KIND_OF_CLASS
from ._load_emitter import LOADS, LoadEmitter
from ._nodes import Node
from ._schema_writer import SCHEMAS, SchemaRegistry

K = TypeVar("K", bound="Kind")


class Kind:
    """One kind of type: override ``load``, ``dump`` and ``schema``."""

    # The names of Node.kind this class serves.
    names: ClassVar[tuple[str, ...]] = ()
    # Python classes that are this kind (analyze(str) is the "str" kind).
    classes: ClassVar[tuple[type, ...]] = ()

    container: bool = False
    unchanged_class: type | None = None
    dumps_any_value: bool = False
    null_added: bool = True

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        raise TypeError(f"cannot compile a loader for {node.kind}")

    def input_classes(self, node: Node) -> tuple[type, ...]:
        return ()

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        raise TypeError(f"cannot compile a dumper for {node.kind}")

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        return self.dump(e, node, v)

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        return False

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return (object,)

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        raise TypeError(f"no JSON Schema for {node.kind}")


def register(cls: type[K]) -> type[K]:
    """Class decorator: the kind serves its ``names`` in the load, dump and schema passes."""
    kind = cls()
    for python_class in cls.classes:
        KIND_OF_CLASS[python_class] = cls.names[0]
    for name in cls.names:
        LOADS[name] = kind
        DUMPS[name] = kind
        SCHEMAS[name] = kind
    return cls
