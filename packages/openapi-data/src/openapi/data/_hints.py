"""Type hints read once into a tree of :class:`~._nodes.Node`: ``analyze(hint)``."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections import abc
from dataclasses import replace
from typing import Any, Literal, Union, get_args, get_origin

import typing_extensions

from ._nodes import Node
from .markers import Description, Marker

NoneType = type(None)

# Classes that are a kind of their own (str, int, datetime...): filled by ``@register``
# from each kind's ``classes``.
KIND_OF_CLASS: dict[type, str] = {}


def is_typeddict(tp: Any) -> bool:
    return bool(typing_extensions.is_typeddict(tp))


def is_optional_hint(tp: Any) -> bool:
    try:
        return analyze(tp).nullable
    except TypeError:
        return False


def _markers_of(items: typing.Iterable[Any]) -> tuple[Marker, ...]:
    # PEP 727's Doc("...") (typing_extensions) describes like Description("...")
    return tuple(
        Description(m.documentation) if isinstance(m, typing_extensions.Doc) else m
        for m in items
        if isinstance(m, Marker | typing_extensions.Doc)
    )


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
        registered = KIND_OF_CLASS.get(tp)  # first: a registered kind may be a dataclass
        if registered is not None:
            return Node(registered, cls=tp)
        if dataclasses.is_dataclass(tp):
            return Node("dataclass", cls=tp)
        if is_typeddict(tp):
            return Node("typeddict", cls=tp)
        if issubclass(tp, enum.Enum):
            return Node("enum", cls=tp)
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
