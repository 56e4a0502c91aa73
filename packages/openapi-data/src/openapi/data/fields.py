"""Field helpers: ``dataclasses.field`` with validation and documentation metadata.

``title: str = str_field(max_length=64, description="Task title")`` keeps working as it
did in the older aio-openapi; the constraints are stored as markers the compiler reads
once per dataclass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field
from decimal import Decimal
from typing import Any

from ._hints import is_optional_hint
from .markers import Ge, Le, Marker, MaxLength, MinLength, Pattern, Precision, TzAware

__all__ = [
    "DESCRIPTION",
    "DUMP",
    "EXAMPLES",
    "FORMAT",
    "HIDDEN",
    "ITEMS",
    "MARKERS",
    "OPS",
    "POST_PROCESS",
    "REQUIRED",
    "VALIDATOR",
    "FieldInfo",
    "ValidationError",
    "Validator",
    "as_field",
    "bool_field",
    "data_field",
    "date_field",
    "date_time_field",
    "decimal_field",
    "email_field",
    "enum_field",
    "field_info",
    "field_ops",
    "integer_field",
    "json_field",
    "number_field",
    "str_field",
    "uuid_field",
]

REQUIRED = "required"
VALIDATOR = "OPENAPI_VALIDATOR"
DESCRIPTION = "description"
POST_PROCESS = "post_process"
DUMP = "dump"
FORMAT = "format"
OPS = "ops"
ITEMS = "items"
HIDDEN = "hidden"
MARKERS = "openapi_markers"
ENUM = "openapi_enum"
JSON = "openapi_json"
NULLABLE = "openapi_nullable"
EXAMPLES = "examples"

_RESERVED = frozenset(
    (REQUIRED, VALIDATOR, DESCRIPTION, POST_PROCESS, DUMP, FORMAT, OPS, ITEMS, HIDDEN)
    + (MARKERS, ENUM, JSON, NULLABLE, EXAMPLES)
)

Number = int | float | Decimal


class ValidationError(ValueError):
    """Raised by a custom validator: ``raise ValidationError(field.name, "too short")``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message


class Validator:
    """Base class of validator objects passed as ``data_field(validator=...)``.

    ``__call__(field, value)`` returns the cleaned value or raises ``ValidationError``;
    ``dump(value)`` converts back for output; ``openapi(schema)`` adds JSON Schema keywords.
    """

    def __call__(self, field: Field[Any], value: Any) -> Any:
        return value

    def dump(self, value: Any) -> Any:
        return value

    def openapi(self, schema: dict[str, Any]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What openapi.data knows about a dataclass field, read from its metadata."""

    required: bool
    description: str | None = None
    ops: tuple[str, ...] = ()
    hidden: bool = False
    format: str | None = None
    meta: dict[str, Any] | None = None
    examples: tuple[Any, ...] = ()


def _looks_optional(tp: Any) -> bool:
    if isinstance(tp, str):
        text = tp.replace(" ", "")
        return text.startswith("Optional[") or "|None" in text or text.startswith("None|")
    return is_optional_hint(tp)


def field_info(f: Field[Any]) -> FieldInfo:
    """The :class:`FieldInfo` of a dataclass field.

    A field is required when declared ``data_field(required=True)``, or when it has no
    default, no default factory and its type does not accept ``None``.
    """
    md = f.metadata
    if REQUIRED in md:
        required = bool(md[REQUIRED])
    else:
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        required = not has_default and not _looks_optional(f.type)
    meta = {k: v for k, v in md.items() if k not in _RESERVED}
    return FieldInfo(
        required=required,
        description=md.get(DESCRIPTION),
        ops=tuple(md.get(OPS, ())),
        hidden=bool(md.get(HIDDEN, False)),
        format=md.get(FORMAT),
        meta=meta or None,
        examples=tuple(md.get(EXAMPLES, ())),
    )


def field_ops(f: Field[Any]) -> tuple[str, ...]:
    """The input keys a field accepts: its name and ``name:op`` for each of its ops."""
    return (f.name, *(f"{f.name}:{op}" for op in f.metadata.get(OPS, ())))


def data_field(
    required: bool = False,
    validator: Callable[[Field[Any], Any], Any] | None = None,
    dump: Callable[[Any], Any] | None = None,
    format: str | None = None,
    description: str | None = None,
    items: Field[Any] | None = None,
    post_process: Callable[[Any], Any] | None = None,
    ops: tuple[str, ...] | list[str] = (),
    hidden: bool = False,
    meta: Mapping[str, Any] | None = None,
    nullable: bool | None = None,
    examples: Sequence[Any] | None = None,
    **kw: Any,
) -> Any:
    """A dataclass field with openapi metadata.

    :param required: the key must be present (strict validation) even though the
        field has a default (``None`` unless ``default`` or ``default_factory`` is given)
    :param validator: ``callable(field, value) -> value`` run before type validation;
        raise :class:`ValidationError` (or ``ValueError``) to reject the value
    :param dump: ``callable(value) -> value`` used when dumping
    :param format: JSON Schema format
    :param description: description in the JSON Schema
    :param items: a field whose constraints apply to the items of a list or dict
    :param post_process: ``callable(value) -> value`` run after validation; a
        ``ValueError`` (or ``TypeError``) it raises rejects the value
    :param ops: filter operations accepted as ``name:op`` keys, e.g. ``("gt", "le")``
    :param hidden: keep the field out of the documentation
    :param meta: extra metadata
    :param nullable: False refuses ``null`` although the key may be left out (the
        ``None`` default then only means "absent"); None: a ``None`` default accepts null
    :param examples: example values (as JSON data) for the JSON Schema ``examples``;
        each must be valid for the field, or building the schema raises ``ValueError``
    """
    if isinstance(validator, Validator) and dump is None:
        dump = validator.dump
    # A default lets fields with metadata follow required ones, as in the older API.
    if "default_factory" not in kw:
        kw.setdefault("default", None)
    markers: tuple[Marker, ...] = tuple(kw.pop("markers", ()))
    metadata: dict[str, Any] = dict(kw.pop("metadata", None) or {})
    metadata[REQUIRED] = required
    if validator is not None:
        metadata[VALIDATOR] = validator
    if dump is not None:
        metadata[DUMP] = dump
    if format is not None:
        metadata[FORMAT] = format
    if description is not None:
        metadata[DESCRIPTION] = description
    if items is not None:
        metadata[ITEMS] = items
    if post_process is not None:
        metadata[POST_PROCESS] = post_process
    if ops:
        metadata[OPS] = tuple(ops)
    if hidden:
        metadata[HIDDEN] = True
    if nullable is not None:
        metadata[NULLABLE] = nullable
    if examples is not None:
        if isinstance(examples, str | bytes) or not isinstance(examples, Sequence):
            raise TypeError("examples must be a list of values")
        metadata[EXAMPLES] = tuple(examples)
    if markers:
        metadata[MARKERS] = markers
    for key in (ENUM, JSON):
        if key in kw:
            metadata[key] = kw.pop(key)
    if meta:
        metadata.update(meta)
    return field(metadata=metadata, **kw)


def _length(min_length: int, max_length: int) -> tuple[Marker, ...]:
    out: list[Marker] = []
    if min_length:
        out.append(MinLength(min_length))
    if max_length:
        out.append(MaxLength(max_length))
    return tuple(out)


def _bounds(min_value: Number | None, max_value: Number | None) -> tuple[Marker, ...]:
    out: list[Marker] = []
    if min_value is not None:
        out.append(Ge(min_value))
    if max_value is not None:
        out.append(Le(max_value))
    return tuple(out)


def str_field(
    min_length: int = 0, max_length: int = 0, pattern: str | None = None, **kw: Any
) -> Any:
    """A string field; ``0`` means no length limit; ``pattern`` is searched (``re.search``)."""
    markers = _length(min_length, max_length)
    if pattern is not None:
        markers += (Pattern(pattern),)
    return data_field(markers=markers + tuple(kw.pop("markers", ())), **kw)


def bool_field(**kw: Any) -> Any:
    """A boolean field."""
    return data_field(**kw)


def uuid_field(format: str = "uuid", **kw: Any) -> Any:
    """A UUID field; on a ``str`` field the value is checked and kept as canonical text."""
    return data_field(format=format, **kw)


def number_field(
    min_value: Number | None = None,
    max_value: Number | None = None,
    precision: int | None = None,
    **kw: Any,
) -> Any:
    """A number field with inclusive bounds and optional rounding to ``precision`` places."""
    markers = _bounds(min_value, max_value)
    if precision is not None:
        markers += (Precision(precision),)
    return data_field(markers=markers, **kw)


def integer_field(
    min_value: Number | None = None, max_value: Number | None = None, **kw: Any
) -> Any:
    """An integer field with inclusive bounds."""
    return data_field(markers=_bounds(min_value, max_value), **kw)


def decimal_field(
    min_value: Number | None = None,
    max_value: Number | None = None,
    precision: int | None = None,
    **kw: Any,
) -> Any:
    """A Decimal field with inclusive bounds and optional rounding to ``precision`` places."""
    return number_field(min_value, max_value, precision, **kw)


def email_field(min_length: int = 0, max_length: int = 0, **kw: Any) -> Any:
    """An email address (a practical syntax check, no deliverability lookup)."""
    kw.setdefault("format", "email")
    return str_field(min_length=min_length, max_length=max_length, **kw)


def enum_field(EnumClass: type[enum.Enum], **kw: Any) -> Any:
    """An enum field; on a ``str`` field the member name is stored."""
    return data_field(openapi_enum=EnumClass, **kw)


def date_field(**kw: Any) -> Any:
    """A date field (ISO 8601 text)."""
    return data_field(**kw)


def date_time_field(timezone: bool = False, **kw: Any) -> Any:
    """A datetime field (ISO 8601 text); ``timezone=True`` requires an offset."""
    markers: tuple[Marker, ...] = (TzAware(),) if timezone else ()
    return data_field(markers=markers, **kw)


def json_field(**kw: Any) -> Any:
    """Any JSON value; a string holding JSON text is parsed."""
    return data_field(openapi_json=True, **kw)


def as_field(item: Any, *, field: Field[Any] | None = None, **kw: Any) -> Field[Any]:
    """A field of type ``item`` (used for the items of containers)."""
    if isinstance(item, Field):
        return item
    f: Field[Any] = field if field is not None else data_field(**kw)
    if f.type and f.type is not item:
        raise RuntimeError("Cannot override field type")
    f.type = item
    return f
