"""Kinds of points and spans of time: datetime, date, time (ISO 8601) and timedelta."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from ._dump_emitter import DumpEmitter
from ._input_values import aware, to_date, to_datetime, to_time, to_timedelta, to_timedelta_q
from ._kind import Kind, register
from ._load_emitter import LoadEmitter
from ._nodes import Node
from ._schema_writer import SchemaRegistry


class TimeKind(Kind):
    """What the kinds of time share: bounds compared as values, a string schema."""

    schema_format = ""
    dumps_any_value = True

    def emit_convert(self, e: LoadEmitter, node: Node, src: str) -> None:
        raise NotImplementedError

    def load(self, e: LoadEmitter, node: Node, src: str, dst: str, pre: str) -> None:
        b = e.b
        self.emit_convert(e, node, src)
        if node.c.has_bounds():
            # naive and aware datetimes do not compare
            with b.block("try:"):
                e.emit_bounds(node, src)
            with b.block("except TypeError:"):
                b.line("raise _Invalid('not comparable with the bounds')")
        b.line(f"{dst} = {src}")

    def value_classes(self, node: Node) -> tuple[type, ...]:
        return self.classes

    def schema(self, w: SchemaRegistry, node: Node) -> dict[str, Any]:
        return {"type": "string", "format": node.c.format or self.schema_format}


class IsoKind(TimeKind):
    """datetime, date and time: ISO 8601 text, parsed by the class's ``fromisoformat``."""

    def converter(self) -> Callable[[Any], Any]:
        """The conversion of what is not text: an instance, or a datetime for a date."""
        raise NotImplementedError

    def emit_convert(self, e: LoadEmitter, node: Node, src: str) -> None:
        b = e.b
        name = self.names[0]
        parse = b.const(self.classes[0].fromisoformat, "fromiso")  # type: ignore[attr-defined]
        with b.block(f"if {src}.__class__ is _str:"):
            with b.block("try:"):
                b.line(f"{src} = {parse}({src})")
            with b.block("except ValueError:"):
                b.line(f"raise _Invalid('not a valid {name}')")
        with b.block("else:"):
            b.line(f"{src} = {b.const(self.converter(), 'to_' + name)}({src})")

    #: with ``native_times``, the condition (on ``{v}``) under which orjson writes the
    #: value as ``isoformat()`` does (None: never). It drops the seconds of an offset;
    #: times it refuses with an offset and, in orjson 3.13, writes 10 ms as ".10000"
    native_when: str | None = None

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        cls = f"_{self.names[0]}"
        return f"({self.dump_trusted(e, node, v)} if {v}.__class__ is {cls} else _dump_any({v}))"

    def dump_trusted(self, e: DumpEmitter, node: Node, v: str) -> str:
        if not e.native_times or self.native_when is None:
            return f"{v}.isoformat()"
        when = self.native_when.format(v=v)
        return v if when == "True" else f"({v} if {when} else {v}.isoformat())"

    def reads_once(self, e: DumpEmitter, node: Node) -> bool:
        # a native datetime is tested before it is left as is or written out
        return not e.native_times or self.native_when in (None, "True")


@register
class DateTimeKind(IsoKind):
    """Datetimes; ``TzAware`` (``date_time_field(timezone=True)``) requires an offset."""

    names = ("datetime",)
    classes = (datetime,)
    schema_format = "date-time"
    native_when = "({v}.tzinfo is None or {v}.tzinfo is _utc)"

    def converter(self) -> Callable[[Any], Any]:
        return to_datetime

    def emit_convert(self, e: LoadEmitter, node: Node, src: str) -> None:
        super().emit_convert(e, node, src)
        if node.c.tz:
            e.b.line(f"{src} = {e.b.const(aware, 'aware')}({src})")


@register
class DateKind(IsoKind):
    names = ("date",)
    classes = (date,)
    schema_format = "date"
    native_when = "True"

    def converter(self) -> Callable[[Any], Any]:
        return to_date


@register
class TimeOfDayKind(IsoKind):
    names = ("time",)
    classes = (time,)
    schema_format = "time"

    def converter(self) -> Callable[[Any], Any]:
        return to_time


@register
class TimedeltaKind(TimeKind):
    """Durations: ISO 8601 (``P1DT2H``) or a number of seconds in, ISO 8601 out."""

    names = ("timedelta",)
    classes = (timedelta,)
    schema_format = "duration"

    def emit_convert(self, e: LoadEmitter, node: Node, src: str) -> None:
        conv = to_timedelta_q if e.multiple else to_timedelta
        e.b.line(f"{src} = {e.b.const(conv, 'to_timedelta')}({src})")

    def dump(self, e: DumpEmitter, node: Node, v: str) -> str:
        return f"(_duration({v}) if _isinstance({v}, _timedelta) else {v})"
