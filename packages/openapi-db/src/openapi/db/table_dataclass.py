"""dataclass_from_table: a dataclass (for openapi.data) from a SQLAlchemy table."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import decimal
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Literal

import sqlalchemy as sa
from openapi.data import fields
from sqlalchemy.dialects import postgresql

__all__ = ["dataclass_from_table", "column_field"]

# the integer range of each column type: out-of-range values are a 422, not a 500
_INT_BOUNDS: list[tuple[type[sa.types.TypeEngine[Any]], int]] = [
    (sa.SmallInteger, 2**15),
    (sa.BigInteger, 2**63),
    (sa.Integer, 2**31),
]


def _decode_base64(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None


def _check_base64(field: Any, value: Any) -> Any:
    _decode_base64(value)
    return value


def _encode_base64(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _numeric_options(column_type: sa.Numeric[Any]) -> dict[str, Any]:
    """NUMERIC(p, s): rounded to s places, below 10**(p - s) in absolute value."""
    if column_type.precision is None:
        if column_type.scale is None:
            return {}
        return {"precision": column_type.scale}
    scale = column_type.scale or 0
    largest = decimal.Decimal(10) ** (column_type.precision - scale) - decimal.Decimal(10) ** -scale
    return {"precision": scale, "min_value": -largest, "max_value": largest}


def _check_naive(value: Any) -> Any:
    # TIMESTAMP WITHOUT TIME ZONE: an offset would be silently meaningless
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        raise ValueError("timezone not allowed")
    return value


def _python_type(column_type: Any) -> tuple[Any, Callable[..., Any], dict[str, Any]]:
    """(python type, field helper, helper options) for a column type."""
    if isinstance(column_type, sa.Enum):
        if column_type.enum_class is not None:
            return column_type.enum_class, fields.enum_field, {"EnumClass": column_type.enum_class}
        return Literal[tuple(column_type.enums)], fields.data_field, {}
    if isinstance(column_type, sa.Boolean):
        return bool, fields.bool_field, {}
    if isinstance(column_type, sa.Integer):
        for kind, bound in _INT_BOUNDS:
            if isinstance(column_type, kind):
                return int, fields.integer_field, {"min_value": -bound, "max_value": bound - 1}
        return int, fields.integer_field, {}  # pragma: no cover
    if isinstance(column_type, sa.Float):
        return float, fields.number_field, {}
    if isinstance(column_type, sa.Numeric):
        if not column_type.asdecimal:
            return float, fields.number_field, {}
        return decimal.Decimal, fields.decimal_field, _numeric_options(column_type)
    if isinstance(column_type, sa.String):  # Text, VARCHAR, CHAR...
        return str, fields.str_field, {"max_length": column_type.length or 0}
    if isinstance(column_type, sa.DateTime):
        if column_type.timezone:
            return datetime.datetime, fields.date_time_field, {"timezone": True}
        return datetime.datetime, fields.date_time_field, {"post_process": _check_naive}
    if isinstance(column_type, sa.Date):
        return datetime.date, fields.date_field, {}
    if isinstance(column_type, sa.Time):
        return datetime.time, fields.data_field, {}
    if isinstance(column_type, sa.Interval):
        return datetime.timedelta, fields.data_field, {}
    if isinstance(column_type, sa.JSON):  # JSONB too
        return Any, fields.json_field, {}
    if isinstance(column_type, sa.ARRAY):
        item, _, _ = _python_type(column_type.item_type)
        return list[item], fields.data_field, {}  # type: ignore[valid-type]
    if isinstance(column_type, sa.Uuid | postgresql.UUID):
        if column_type.as_uuid:
            return uuid.UUID, fields.uuid_field, {}
        return str, fields.uuid_field, {}
    if isinstance(column_type, sa.LargeBinary):
        # bytes travel as base64 text (JSON Schema format "byte")
        binary: dict[str, Any] = {
            "format": "byte",
            "validator": _check_base64,
            "post_process": _decode_base64,
            "dump": _encode_base64,
        }
        return str, fields.data_field, binary
    if isinstance(column_type, sa.TypeDecorator):
        return _python_type(column_type.impl_instance)
    raise NotImplementedError(f"cannot convert a {type(column_type).__name__} column")


def _names(value: bool | Collection[str] | None, columns: Collection[str]) -> set[str]:
    if value is True:
        return set(columns)
    if not value:
        return set()
    return set(value)


def column_field(
    column: sa.Column[Any],
    *,
    required: bool = False,
    use_default: bool = False,
    ops: Sequence[str] = (),
    row: bool = False,
) -> tuple[Any, Any]:
    """(type annotation, dataclass field) for one column; ``row``: the column as read from
    a row (a NOT NULL column is required whatever its defaults; a null value is left out
    of a dumped row, so a nullable column stays optional)."""
    python_type, helper, options = _python_type(column.type)
    info = dict(column.info)
    helper = info.pop("data_field", helper)
    kwargs: dict[str, Any] = {**options, "ops": tuple(ops)}
    has_default = False
    if use_default and column.default is not None and not row:
        default = column.default
        if getattr(default, "is_callable", False):
            arg = default.arg  # type: ignore[attr-defined]
            kwargs["default_factory"] = lambda: arg(None)
            has_default = True
        elif getattr(default, "is_scalar", False):
            value = default.arg  # type: ignore[attr-defined]
            if isinstance(value, list | dict | set):
                kwargs["default_factory"] = lambda: value.copy()
            else:
                kwargs["default"] = value
            has_default = True
    server_side = column.server_default is not None or (
        column.primary_key and column.autoincrement in (True, "auto") and python_type is int
    )
    if row:
        # dump() leaves None values out: only a column never null is always present
        kwargs["required"] = not column.nullable and python_type is not Any
    else:
        kwargs["required"] = (
            required and not column.nullable and not has_default and not server_side
        )
    if not column.nullable and not has_default and python_type is not Any:
        # the key may be left out (a default fills the column), but null is never stored
        kwargs["nullable"] = False
    if column.doc:
        kwargs["description"] = column.doc
    kwargs.update(info)
    annotation = python_type | None if column.nullable and python_type is not Any else python_type
    return annotation, helper(**kwargs)


def dataclass_from_table(
    name: str,
    table: sa.Table,
    *,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    required: bool | Collection[str] = False,
    default: bool | Collection[str] = False,
    ops: Mapping[str, Sequence[str]] | None = None,
    row: bool = False,
) -> type:
    """A dataclass named ``name`` with a field for each column of ``table``.

    :param include: columns to include (all by default)
    :param exclude: columns to leave out
    :param required: True (or column names): non-nullable columns without a default
        become required fields
    :param default: True (or column names): columns' Python defaults become the
        fields' defaults
    :param ops: filter operations per column name, e.g. ``{"severity": ("gt", "lt")}``
    :param row: the schema of a row as read (a response): every NOT NULL column is a
        required field, whatever its defaults (a row always carries it); a nullable
        column is optional, its key left out when null (dump() drops None values);
        ``required`` and ``default`` do not apply

    Nullable columns are ``T | None``; the column's ``doc`` becomes the description and
    its ``info`` adds field options (``info={"data_field": fields.email_field}`` picks the
    field helper).
    """
    names = [c.key for c in table.columns]
    included = set(include) if include is not None else set(names)
    included -= set(exclude or ())
    requireds = _names(required, included)
    defaults = _names(default, included)
    column_ops = ops or {}
    specs: list[tuple[str, Any, Any]] = []
    for column in table.columns:
        if column.key not in included:
            continue
        annotation, field = column_field(
            column,
            required=column.key in requireds,
            use_default=column.key in defaults,
            ops=column_ops.get(column.key, ()),
            row=row,
        )
        # a plain str: SQLAlchemy's quoted_name would reach the document (YAML refuses it)
        specs.append((str(column.key), annotation, field))
    return dataclasses.make_dataclass(name, specs)
