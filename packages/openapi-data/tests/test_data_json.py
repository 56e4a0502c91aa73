from __future__ import annotations

import json as stdlib_json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from data_models import Owner, Severity
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi.data import json
from openapi.data.dump import dump


def test_dumps_special_types() -> None:
    data = {
        "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "id": UUID(int=1),
        "price": Decimal("1.5"),
        "level": Severity.high,
        "owner": Owner("Ann"),
    }
    text = json.dumps(data)
    assert stdlib_json.loads(text) == {
        "when": "2024-01-02T03:04:05+00:00",
        "id": "00000000-0000-0000-0000-000000000001",
        "price": 1.5,
        "level": 2,
        "owner": {"name": "Ann"},
    }
    assert json.loads(text.encode()) == json.loads(text)


def test_loads_error_is_value_error() -> None:
    try:
        json.loads("{nope")
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("malformed JSON accepted")


def test_standard_library_and_orjson_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from openapi.data import _json_text as codec
    from openapi.data import json as module

    data = {
        "when": datetime(2024, 1, 2, 3, 4, 5, 6),
        "id": UUID(int=7),
        "price": Decimal("2.5"),
        "level": Severity.low,
        "owner": Owner("Ann", "a@b.co"),
        "text": "héllo \u2603",
        "n": [1, 2.5, None, True],
        1: "int key",
    }
    fast = module.dumps(data)
    assert codec._orjson() is not False  # orjson is installed in the test environment
    monkeypatch.setattr(codec, "_backend", False)
    slow = module.dumps(data)
    assert slow == fast
    assert module.loads(slow) == module.loads(fast.encode())


def test_big_ints_fall_back_to_the_standard_library() -> None:
    big = {"n": 2**70, "when": datetime(2024, 1, 1)}
    assert json.dumps(big) == '{"n":1180591620717411303424,"when":"2024-01-01T00:00:00"}'


def test_dumps_bytes_is_the_utf8_of_dumps() -> None:
    odd_offset = timezone(timedelta(seconds=30))  # isoformat keeps the seconds
    values = [
        {"at": datetime(2026, 11, 30, 12, 0, tzinfo=UTC), "day": date(2026, 1, 2)},
        [datetime(902, 2, 21, 12, 45, 30, 105303, tzinfo=odd_offset), datetime(2026, 1, 1)],
        {"t": time(12, 30, tzinfo=timezone(timedelta(hours=1))), "naive": time(1, 2, 3, 4)},
        {"id": UUID(int=7), "n": Decimal("1.5"), "big": 2**70, "text": "é ✓"},
    ]
    for value in values:
        assert json.dumps_bytes(value) == json.dumps(value).encode()
    assert json.dumps_bytes(values[1]) == (
        b'["0902-02-21T12:45:30.105303+00:00:30","2026-01-01T00:00:00"]'
    )


@dataclass
class Stamp:
    at: datetime
    day: date
    clock: time | None = None
    later: list[datetime] = field(default_factory=list)


_zones = st.one_of(
    st.none(),
    st.just(UTC),
    st.timezones(),
    st.builds(
        timezone,
        st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(timezones=_zones),
    day=st.dates(),
    clock=st.none() | st.times(timezones=_zones),
    later=st.lists(st.datetimes(timezones=_zones), max_size=3),
)
def test_dump_bytes_writes_what_dump_then_dumps_bytes_writes(
    at: datetime, day: date, clock: time | None, later: list[datetime]
) -> None:
    """orjson writes some times itself (naive or UTC): the text must not change, for
    offsets with seconds, LMT zones, folds and times with an offset included."""
    stamp = Stamp(at, day, clock, later)
    for schema, data in (
        (Stamp, stamp),
        (Stamp, {"at": at, "day": day, "clock": clock, "later": later}),
        (list[Stamp], [stamp, stamp]),
    ):
        assert json.dump_bytes(schema, data) == json.dumps_bytes(dump(schema, data))
