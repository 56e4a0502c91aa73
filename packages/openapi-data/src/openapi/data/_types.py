"""Type hints read once into a small tree of :class:`Node` objects.

The compilers (loader, dumper, JSON Schema) only ever walk these nodes; type hints are
never inspected on the request path.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections import abc
from dataclasses import MISSING, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin
from uuid import UUID

import typing_extensions

from . import fields as F
from .markers import (
    Description,
    Format,
    Ge,
    Gt,
    Le,
    Lt,
    Marker,
    MaxLength,
    MinLength,
    MultipleOf,
    Pattern,
    Precision,
    TzAware,
)

NoneType = type(None)

SCALARS: dict[Any, str] = {
    str: "str",
    bool: "bool",
    int: "int",
    float: "float",
    Decimal: "decimal",
    UUID: "uuid",
    datetime: "datetime",
    date: "date",
    time: "time",
    timedelta: "timedelta",
}
CONTAINERS = frozenset(("list", "tuple", "set", "frozenset", "tuple_fixed", "dict"))


@dataclass(frozen=True, slots=True)
class Constraints:
    min_length: int | None = None
    max_length: int | None = None
    ge: Any = None
    gt: Any = None
    le: Any = None
    lt: Any = None
    multiple_of: Any = None
    pattern: str | None = None
    format: str | None = None
    description: str | None = None
    tz: bool = False
    precision: int | None = None
    enum_cls: type[enum.Enum] | None = None
    json: bool = False

    def with_marker(self, m: Marker) -> Constraints:
        if isinstance(m, MinLength):
            return replace(self, min_length=m.value)
        if isinstance(m, MaxLength):
            return replace(self, max_length=m.value)
        if isinstance(m, Ge):
            return replace(self, ge=m.value)
        if isinstance(m, Gt):
            return replace(self, gt=m.value)
        if isinstance(m, Le):
            return replace(self, le=m.value)
        if isinstance(m, Lt):
            return replace(self, lt=m.value)
        if isinstance(m, MultipleOf):
            return replace(self, multiple_of=m.value)
        if isinstance(m, Pattern):
            re.compile(m.value)
            return replace(self, pattern=m.value)
        if isinstance(m, Format):
            return replace(self, format=m.value)
        if isinstance(m, Description):
            return replace(self, description=m.value)
        if isinstance(m, TzAware):
            return replace(self, tz=True)
        if isinstance(m, Precision):
            return replace(self, precision=m.value)
        return self


EMPTY = Constraints()


@dataclass(eq=False, slots=True)
class Node:
    """One type: ``kind`` names it; ``args`` are item types; ``cls`` a class."""

    kind: str
    nullable: bool = False
    args: tuple[Node, ...] = ()
    cls: Any = None
    values: tuple[Any, ...] = ()
    c: Constraints = EMPTY

    def with_markers(self, markers: typing.Iterable[Marker]) -> Node:
        c = self.c
        for m in markers:
            c = c.with_marker(m)
        return replace(self, c=c) if c is not self.c else self


def is_typeddict(tp: Any) -> bool:
    return bool(typing_extensions.is_typeddict(tp))


def is_optional_hint(tp: Any) -> bool:
    try:
        return analyze(tp).nullable
    except TypeError:
        return False


def _markers_of(items: typing.Iterable[Any]) -> tuple[Marker, ...]:
    return tuple(m for m in items if isinstance(m, Marker))


def analyze(tp: Any, markers: tuple[Marker, ...] = ()) -> Node:
    """The :class:`Node` of a type hint; raise ``TypeError`` when it is not supported."""
    node = _analyze(tp)
    return node.with_markers(markers) if markers else node


def _analyze(tp: Any) -> Node:
    origin = get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = get_args(tp)
        return _analyze(base).with_markers(_markers_of(extra))
    if isinstance(tp, typing.NewType):
        return _analyze(tp.__supertype__)
    alias_value = getattr(tp, "__value__", None)
    if alias_value is not None and type(tp).__name__ == "TypeAliasType":
        return _analyze(alias_value)
    if tp is None or tp is NoneType:
        return Node("none", nullable=True)
    if tp is Any or tp is object:
        return Node("any", nullable=True)
    if origin is Union or origin is types.UnionType:
        return _union(get_args(tp))
    if origin is Literal or origin is typing_extensions.Literal:
        values = _literal_values(tp)
        nullable = None in values
        values = tuple(v for v in values if v is not None)
        if not values:
            return Node("none", nullable=True)
        return Node("literal", nullable=nullable, values=values)
    if isinstance(origin, type) and dataclasses.is_dataclass(origin):
        return Node("dataclass", cls=tp)  # a generic dataclass with its arguments
    if origin is not None:
        args = get_args(tp)
        if origin in (list, abc.Sequence, abc.MutableSequence, abc.Collection, abc.Iterable):
            return Node("list", args=(_analyze(args[0] if args else Any),))
        if origin in (set, abc.Set, abc.MutableSet):
            return Node("set", args=(_analyze(args[0] if args else Any),))
        if origin is frozenset:
            return Node("frozenset", args=(_analyze(args[0] if args else Any),))
        if origin is tuple:
            if not args:
                return Node("tuple", args=(Node("any", nullable=True),))
            if len(args) == 2 and args[1] is Ellipsis:
                return Node("tuple", args=(_analyze(args[0]),))
            if args == ((),):
                return Node("tuple_fixed")
            return Node("tuple_fixed", args=tuple(_analyze(a) for a in args))
        if origin in (dict, abc.Mapping, abc.MutableMapping):
            key, value = args if args else (Any, Any)
            return Node("dict", args=(_analyze(key), _analyze(value)))
        raise TypeError(f"openapi.data does not support the type {tp!r}")
    if tp is list:
        return Node("list", args=(Node("any", nullable=True),))
    if tp is dict:
        return Node("dict", args=(Node("str"), Node("any", nullable=True)))
    if tp in (set, frozenset, tuple):
        kind = {set: "set", frozenset: "frozenset", tuple: "tuple"}[tp]
        return Node(kind, args=(Node("any", nullable=True),))
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return Node("dataclass", cls=tp)
        if is_typeddict(tp):
            return Node("typeddict", cls=tp)
        if issubclass(tp, enum.Enum):
            return Node("enum", cls=tp)
        for base, kind in SCALARS.items():
            if tp is base:
                return Node(kind)
    raise TypeError(f"openapi.data does not support the type {tp!r}")


def _literal_values(tp: Any) -> tuple[Any, ...]:
    out: list[Any] = []
    for v in get_args(tp):
        if get_origin(v) in (Literal, typing_extensions.Literal):
            out.extend(_literal_values(v))
        else:
            out.append(v)
    return tuple(out)


def _union(args: tuple[Any, ...]) -> Node:
    options: list[Node] = []
    nullable = False
    for a in args:
        n = _analyze(a)
        if n.kind == "none":
            nullable = True
            continue
        if n.nullable and n.kind != "any":
            nullable = True
            n = replace(n, nullable=False)
        options.append(n)
    if len(options) == 1:
        return replace(options[0], nullable=nullable or options[0].nullable)
    if not options:
        return Node("none", nullable=True)
    return Node("union", nullable=nullable, args=tuple(options))


# Dataclass fields ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A dataclass (or TypedDict) field, read once."""

    name: str
    node: Node
    info: F.FieldInfo
    required: bool
    default: Any
    default_factory: Any
    init: bool = True
    validator: Any = None
    dump: Any = None
    post_process: Any = None
    field: dataclasses.Field[Any] | None = field(default=None, compare=False)


_fields_cache: dict[Any, tuple[FieldSpec, ...]] = {}


def _hints(cls: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except NameError as exc:
        raise TypeError(f"cannot resolve the type hints of {cls!r}: {exc}") from exc


def dataclass_fields(cls: Any) -> tuple[FieldSpec, ...]:
    """The :class:`FieldSpec` of every field of a dataclass, cached per class."""
    cached = _fields_cache.get(cls)
    if cached is not None:
        return cached
    origin = runtime_class(cls)
    hints = _hints(origin)
    params = getattr(origin, "__parameters__", ())
    if params:  # a generic dataclass: its arguments, or Any when it has none
        mapping = dict(zip(params, get_args(cls), strict=False))
        hints = {name: _substitute(hint, mapping) for name, hint in hints.items()}
    specs: list[FieldSpec] = []
    for f in dataclasses.fields(origin):
        hint = hints.get(f.name, f.type)
        try:
            node = analyze(hint)
        except TypeError as exc:
            raise TypeError(f"field {origin.__qualname__}.{f.name}: {exc}") from None
        md = f.metadata
        markers: list[Marker] = list(md.get(F.MARKERS, ()))
        if md.get(F.FORMAT):
            markers.append(Format(md[F.FORMAT]))
        if md.get(F.DESCRIPTION):
            markers.append(Description(md[F.DESCRIPTION]))
        node = node.with_markers(markers)
        if md.get(F.ENUM) is not None or md.get(F.JSON):
            node = replace(
                node, c=replace(node.c, enum_cls=md.get(F.ENUM), json=bool(md.get(F.JSON)))
            )
        items = md.get(F.ITEMS)
        if items is not None and node.args:
            item_markers = list(items.metadata.get(F.MARKERS, ()))
            if items.metadata.get(F.FORMAT):
                item_markers.append(Format(items.metadata[F.FORMAT]))
            idx = 1 if node.kind == "dict" else 0
            args = list(node.args)
            args[idx] = args[idx].with_markers(item_markers)
            node = replace(node, args=tuple(args))
        # A None default makes None a valid value, unless the field says it is required.
        if f.default is None and not node.nullable and not md.get(F.REQUIRED, False):
            node = replace(node, nullable=True)
        if F.REQUIRED in md:
            required = bool(md[F.REQUIRED])
        else:
            has_default = f.default is not MISSING or f.default_factory is not MISSING
            required = not has_default and not node.nullable
        info = F.field_info(f)
        if info.required != required:
            info = replace(info, required=required)
        specs.append(
            FieldSpec(
                name=f.name,
                node=node,
                info=info,
                required=required,
                init=f.init,
                default=f.default,
                default_factory=f.default_factory,
                validator=md.get(F.VALIDATOR),
                dump=md.get(F.DUMP),
                post_process=md.get(F.POST_PROCESS),
                field=f,
            )
        )
    result = tuple(specs)
    _fields_cache[cls] = result
    return result


def typeddict_fields(cls: Any) -> tuple[FieldSpec, ...]:
    """The fields of a TypedDict; ``NotRequired`` keys are optional."""
    cached = _fields_cache.get(cls)
    if cached is not None:
        return cached
    hints = _hints(cls)
    required_keys = getattr(cls, "__required_keys__", frozenset(hints))
    specs = []
    for name, hint in hints.items():
        node = analyze(_strip_required(hint))
        # With postponed annotations the class cannot see NotRequired; the hints can.
        marker = _required_marker(hint)
        required = marker if marker is not None else name in required_keys
        specs.append(
            FieldSpec(
                name=name,
                node=node,
                info=F.FieldInfo(required=required),
                required=required,
                default=MISSING,
                default_factory=MISSING,
            )
        )
    result = tuple(specs)
    _fields_cache[cls] = result
    return result


def _required_marker(hint: Any) -> bool | None:
    origin = get_origin(hint)
    if origin is typing_extensions.ReadOnly:
        return _required_marker(get_args(hint)[0])
    if origin in (typing_extensions.NotRequired, getattr(typing, "NotRequired", None)):
        return False
    if origin in (typing_extensions.Required, getattr(typing, "Required", None)):
        return True
    return None


def _strip_required(hint: Any) -> Any:
    origin = get_origin(hint)
    wrappers = (
        typing_extensions.Required,
        typing_extensions.NotRequired,
        typing_extensions.ReadOnly,
    )
    if origin in wrappers or any(
        origin is getattr(typing, n, None) for n in ("Required", "NotRequired")
    ):
        return _strip_required(get_args(hint)[0])
    return hint


def discriminator(options: tuple[Node, ...]) -> tuple[str, dict[Any, Node]] | None:
    """The field every option declares as a Literal with distinct values, if any."""
    if not all(o.kind in ("dataclass", "typeddict") for o in options):
        return None
    per_option: list[dict[str, tuple[Any, ...]]] = []
    for o in options:
        specs = dataclass_fields(o.cls) if o.kind == "dataclass" else typeddict_fields(o.cls)
        per_option.append({s.name: s.node.values for s in specs if s.node.kind == "literal"})
    common = set(per_option[0]).intersection(*per_option[1:])
    for name in sorted(common):
        table: dict[Any, Node] = {}
        ok = True
        for o, lits in zip(options, per_option, strict=True):
            for value in lits[name]:
                if (type(value), value) in {(type(k), k) for k in table}:
                    ok = False
                table[value] = o
        if ok:
            return name, table
    return None


def forbids_unknown(cls: Any) -> bool:
    return bool(getattr(runtime_class(cls), "__openapi_forbid_unknown__", False))


def runtime_class(cls: Any) -> Any:
    """The class of instances: ``Page`` for the generic alias ``Page[Task]``."""
    origin = get_origin(cls)
    return origin if isinstance(origin, type) else cls


def is_dataclass_type(tp: Any) -> bool:
    """A dataclass, or a generic dataclass with its arguments (``Page[Task]``)."""
    cls = runtime_class(tp)
    return isinstance(cls, type) and dataclasses.is_dataclass(cls)


def _substitute(hint: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(hint, typing.TypeVar):
        return mapping.get(hint, Any)
    params = getattr(hint, "__parameters__", ())
    if params:
        return hint[tuple(mapping.get(p, Any) for p in params)]
    return hint


def class_description(cls: Any) -> str | None:
    """The class docstring, never the signature dataclasses invents when there is none."""
    import inspect

    cls = runtime_class(cls)
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{getattr(cls, '__name__', '')}("):
        return None
    return inspect.cleandoc(doc)
