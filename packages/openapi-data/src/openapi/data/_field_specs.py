"""The fields of dataclasses and TypedDicts, read once per class into :class:`FieldSpec`."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import MISSING, dataclass, field, replace
from typing import Any, get_args, get_origin

import typing_extensions

from . import fields as F
from ._hints import analyze
from ._nodes import Node
from .markers import Description, Format, Marker


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
        if (
            f.default is None
            and not node.nullable
            and not md.get(F.REQUIRED, False)
            and md.get(F.NULLABLE) is not False
        ):
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
    cls = runtime_class(cls)
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{getattr(cls, '__name__', '')}("):
        return None
    return inspect.cleandoc(doc)
