"""Validate input data against a dataclass or any supported type."""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, TypeVar, overload

from ._field_specs import dataclass_fields, is_dataclass_type
from ._invalid import Invalid
from ._kinds import compile_entry, loader_of

__all__ = ["ValidatedData", "ValidationErrors", "validate", "validated_schema"]

T = TypeVar("T")
ErrorList = list[dict[str, str]]


class ValidatedData(NamedTuple):
    """The result of :func:`validate`: converted ``data`` and the list of ``errors``."""

    data: Any
    errors: ErrorList


class ValidationErrors(Exception):
    """Every error found, as ``[{"field": "owner.email", "message": "..."}]``."""

    def __init__(self, errors: ErrorList, message: str = "Invalid data") -> None:
        super().__init__(message, errors)
        self.errors = errors
        self.message = message

    def __str__(self) -> str:
        details = "; ".join(f"{e['field'] or '<root>'}: {e['message']}" for e in self.errors)
        return f"{self.message}: {details}" if details else self.message


# Front caches of the request path: one dict lookup before the generated function.
_entries: dict[Any, Any] = {}
_loaders: dict[tuple[Any, bool, bool], Any] = {}


def _run_loader(loader: Any, data: Any) -> ValidatedData:
    errors: ErrorList = []
    try:
        value = loader(data, "", errors)
    except Invalid as exc:
        if exc.args:
            errors.append({"field": "", "message": exc.args[0]})
        return ValidatedData(None, errors)
    except RecursionError:
        return ValidatedData(None, [{"field": "", "message": "too deeply nested"}])
    return ValidatedData(value, errors)


def validate(
    schema: Any,
    data: Any,
    *,
    strict: bool = True,
    multiple: bool = False,
    raise_on_errors: bool = False,
) -> ValidatedData:
    """Validate ``data`` with ``schema`` (a dataclass or a type hint).

    For a dataclass, ``data`` of the result is a dict holding only the keys present in
    the input (and ``name:op`` filter keys), converted. ``strict=False`` makes every
    field optional (PATCH); ``multiple=True`` coerces query-string text and treats a list
    given to a scalar field as "any of". ``raise_on_errors=True`` raises
    :class:`ValidationErrors` instead of returning errors.
    """
    try:
        loader = _loaders[(schema, strict, multiple)]
    except KeyError:
        loader = _loaders[(schema, strict, multiple)] = loader_of(
            schema, strict=strict, multiple=multiple
        )
    except TypeError:  # an unhashable type hint
        loader = loader_of(schema, strict=strict, multiple=multiple)
    result = _run_loader(loader, data)
    if result.errors and raise_on_errors:
        raise ValidationErrors(result.errors)
    return result


@overload
def validated_schema(
    schema: type[T], data: Any, *, strict: bool = True, multiple: bool = False
) -> T: ...


@overload
def validated_schema(
    schema: Any, data: Any, *, strict: bool = True, multiple: bool = False
) -> Any: ...


def validated_schema(schema: Any, data: Any, *, strict: bool = True, multiple: bool = False) -> Any:
    """Validate ``data`` and return it as an instance of ``schema`` (a dataclass), or as
    the converted value for other types; raise :class:`ValidationErrors`."""
    if strict and not multiple:
        # The hot path: one dict lookup, then the generated loader.
        try:
            entry = _entries.get(schema)
        except TypeError:  # an unhashable type hint
            entry = None
        if entry is not None:
            return entry(data)
    is_dc = is_dataclass_type(schema)
    if is_dc and strict and not multiple:
        entry = _entries[schema] = compile_entry(schema, ValidationErrors)
        return entry(data)
    result = _run_loader(loader_of(schema, strict=strict, multiple=multiple), data)
    if is_dc and not result.errors:
        return _instance(schema, result.data)
    if result.errors:
        raise ValidationErrors(result.errors)
    return result.data


def _instance(schema: Any, data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    errors: ErrorList = []
    for spec in dataclass_fields(schema):
        if not spec.init:
            continue
        if spec.name in data:
            kwargs[spec.name] = data[spec.name]
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            if spec.node.nullable:
                kwargs[spec.name] = None
            else:
                errors.append({"field": spec.name, "message": "required"})
    if errors:
        raise ValidationErrors(errors)
    return schema(**kwargs)
