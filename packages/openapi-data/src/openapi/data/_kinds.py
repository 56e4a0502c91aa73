"""Every kind openapi.data knows, registered (``@register`` in each ``_kind_*.py``), and
the three passes ready to use: the public modules compile and describe through here.

A new kind is a new ``_kind_*.py`` module imported here.
"""

from __future__ import annotations

from typing import Any

from . import (
    _kind_choices,
    _kind_containers,
    _kind_files,
    _kind_scalars,
    _kind_times,
    _kind_unions,
)
from ._compiled import FieldsLoader, ObjectDumper, ValueDumper, ValueLoader, compiled
from ._dump_emitter import Dumper
from ._field_specs import is_dataclass_type
from ._kind_objects import compile_entry
from ._load_emitter import Loader
from ._schema_writer import FieldSchema, SchemaRegistry

__all__ = ["FieldSchema", "SchemaRegistry", "compile_entry", "dumper_of", "loader_of"]

MODULES = (_kind_scalars, _kind_times, _kind_choices, _kind_containers, _kind_unions, _kind_files)


def loader_of(schema: Any, *, strict: bool, multiple: bool) -> Loader:
    """The loader ``validate()`` runs: the fields present of a dataclass as a dict, or the
    value of any other supported type hint."""
    if is_dataclass_type(schema):
        return compiled.get(FieldsLoader(schema, strict, multiple))
    return compiled.get(ValueLoader(schema, multiple))


def dumper_of(schema: Any, *, native_times: bool = False) -> Dumper:
    """The dumper of a dataclass or of any supported type hint (``native_times``: see
    :class:`~openapi.data._compiled.ObjectDumper`)."""
    if is_dataclass_type(schema):
        return compiled.get(ObjectDumper(schema, native_times))
    return compiled.get(ValueDumper(schema, native_times))
