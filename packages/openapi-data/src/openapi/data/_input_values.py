"""Conversions of single input values, called by the generated loaders."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from ._invalid import MISSING, Invalid
from ._json_text import loads

# Possessive quantifiers: no backtracking, so a mismatch is found in one pass.
EMAIL_RE = re.compile(r"[^@\s]++@[^@\s.]++(?:\.[^@\s.]++)++")
_TRUE = frozenset(("true", "1", "yes", "on", "t", "y"))
_FALSE = frozenset(("false", "0", "no", "off", "f", "n"))


def as_mapping(value: Any) -> dict[Any, Any]:
    """A dict from any mapping (asyncpg.Record included); Invalid otherwise."""
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping) or (hasattr(value, "keys") and hasattr(value, "__getitem__")):
        try:
            return dict(value)
        except (TypeError, ValueError):
            pass
    raise Invalid("expected an object")


def to_int(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value():
        return int(v)
    raise Invalid("expected an integer")


def to_int_q(v: Any) -> int:
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            raise Invalid("expected an integer") from None
    return to_int(v)


def to_float(v: Any) -> float:
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        try:
            f = float(v)
        except OverflowError:
            raise Invalid("number out of range") from None
    else:
        raise Invalid("expected a number")
    if not math.isfinite(f):
        raise Invalid("expected a finite number")
    return f


def to_float_q(v: Any) -> float:
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            raise Invalid("expected a number") from None
    return to_float(v)


def to_bool(v: Any) -> bool:
    if v is True or v is False:
        return v
    raise Invalid("expected a boolean")


def to_bool_q(v: Any) -> bool:
    if isinstance(v, str):
        low = v.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    return to_bool(v)


def to_decimal(v: Any) -> Decimal:
    if isinstance(v, Decimal):
        d = v
    elif isinstance(v, int) and not isinstance(v, bool):
        d = Decimal(v)
    elif isinstance(v, float):
        d = Decimal(repr(v))
    else:
        raise Invalid("expected a number")
    if not d.is_finite():
        raise Invalid("expected a finite number")
    return d


def to_decimal_q(v: Any) -> Decimal:
    if isinstance(v, str):
        try:
            v = Decimal(v.strip())
        except InvalidOperation:
            raise Invalid("expected a number") from None
    return to_decimal(v)


def to_uuid(v: Any) -> UUID:
    if isinstance(v, UUID):
        return v
    if isinstance(v, str):
        try:
            return UUID(v)
        except ValueError:
            pass
    raise Invalid("not a valid UUID")


def uuid_text(v: str) -> str:
    try:
        return str(UUID(v))
    except ValueError:
        raise Invalid("not a valid UUID") from None


def to_datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v
    if isinstance(v, str) and len(v) >= 10:
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            pass
    raise Invalid("not a valid datetime")


def to_date(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and len(v) == 10:
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
    raise Invalid("not a valid date")


def to_time(v: Any) -> time:
    if isinstance(v, time):
        return v
    if isinstance(v, str) and len(v) >= 5:
        try:
            return time.fromisoformat(v)
        except ValueError:
            pass
    raise Invalid("not a valid time")


_DURATION_RE = re.compile(
    r"(?P<sign>[-+]?)P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?"
    r"(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)(?:\.(?P<frac>\d+))?S)?)?"
)


def to_timedelta(v: Any) -> timedelta:
    """A timedelta from an ISO 8601 duration (``P1Y2M3DT4H5M6.5S``; a year is 365 days, a
    month 30) or a number of seconds."""
    if isinstance(v, timedelta):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return timedelta(seconds=v)
        except (OverflowError, ValueError):
            pass
    elif isinstance(v, str):
        m = _DURATION_RE.fullmatch(v)
        if m and not v.endswith(("P", "T")):
            g = m.groupdict()
            micro = int(((g["frac"] or "") + "000000")[:6])
            try:
                # A year counts 365 days and a month 30: a timedelta has no calendar.
                td = timedelta(
                    weeks=int(g["weeks"] or 0),
                    days=int(g["days"] or 0)
                    + 365 * int(g["years"] or 0)
                    + 30 * int(g["months"] or 0),
                    hours=int(g["hours"] or 0),
                    minutes=int(g["minutes"] or 0),
                    seconds=int(g["seconds"] or 0),
                    microseconds=micro,
                )
            except OverflowError:
                raise Invalid("not a valid duration") from None
            return -td if g["sign"] == "-" else td
    raise Invalid("not a valid duration")


def to_timedelta_q(v: Any) -> timedelta:
    if isinstance(v, str):
        try:
            return to_timedelta(float(v))
        except ValueError:
            pass
    return to_timedelta(v)


def aware(v: datetime) -> datetime:
    if v.tzinfo is None or v.utcoffset() is None:
        raise Invalid("timezone required")
    return v


def enum_loader(cls: type[enum.Enum], multiple: bool, as_name: bool) -> Callable[[Any], Any]:
    """By value first, then by name (older data stored names)."""
    by_value: dict[tuple[type, Any], enum.Enum] = {}
    for member in cls:
        try:
            by_value[(type(member.value), member.value)] = member
        except TypeError:
            pass
    by_text = {str(m.value): m for m in cls} if multiple else {}
    by_name = cls.__members__
    choices = ", ".join(repr(m.value) for m in cls)
    message = f"must be one of: {choices}"

    def load(v: Any) -> Any:
        member: Any = None
        if isinstance(v, cls):
            member = v
        else:
            try:
                member = by_value.get((type(v), v))
            except TypeError:
                raise Invalid(message) from None
            if member is None and type(v) is float and v.is_integer():
                member = by_value.get((int, int(v)))
            if member is None and isinstance(v, str):
                member = by_name.get(v) or by_text.get(v)
        if member is None:
            raise Invalid(message)
        return member.name if as_name else member

    return load


def literal_loader(values: tuple[Any, ...], multiple: bool) -> Callable[[Any], Any]:
    allowed = {(type(v), v): v for v in values}
    # Literal[Color.red] reads the member's value, as its JSON Schema says
    allowed.update({(type(v.value), v.value): v for v in values if isinstance(v, enum.Enum)})
    by_text = (
        {str(v).lower() if isinstance(v, bool) else str(v): v for v in values} if multiple else {}
    )
    shown = [repr(v.value if isinstance(v, enum.Enum) else v) for v in values]
    message = "must be " + (shown[0] if len(shown) == 1 else "one of: " + ", ".join(shown))

    def load(v: Any) -> Any:
        try:
            found = allowed.get((type(v), v), MISSING)
        except TypeError:
            raise Invalid(message) from None
        if found is MISSING and type(v) is float and v.is_integer():
            found = allowed.get((int, int(v)), MISSING)
        if found is MISSING and isinstance(v, str) and by_text:
            found = by_text.get(v, MISSING)
        if found is MISSING:
            raise Invalid(message)
        return found

    return load


def _refused(exc: ValueError | TypeError) -> Invalid:
    message = getattr(exc, "message", None) or (str(exc.args[-1]) if exc.args else "not valid")
    return Invalid(message)


def call_validator(validator: Any, f: Any, value: Any) -> Any:
    try:
        return validator(f, value)
    except Invalid:
        raise
    except (ValueError, TypeError) as exc:
        raise _refused(exc) from None


def call_post_process(post_process: Any, value: Any) -> Any:
    """A ``post_process`` refusing the value (ValueError, TypeError) is a validation error."""
    try:
        return post_process(value)
    except Invalid:
        raise
    except (ValueError, TypeError) as exc:
        raise _refused(exc) from None


def parse_json_text(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return loads(v)
        except ValueError:
            return v
    return v
