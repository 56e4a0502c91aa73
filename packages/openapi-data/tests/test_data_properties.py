"""Property tests: round trips, junk never crashes, JSON Schema and validator agree."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any

import jsonschema
from data_models import Cat, Dog, LegacyTask, Node, Pets, Severity, Strict, Task
from data_typing_models import Bounded, Color, Everything, Money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi.data.dump import dump
from openapi.data.json_schema import json_schema
from openapi.data.validate import ValidationErrors, validate, validated_schema

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

small_ints = st.integers(min_value=-(2**64), max_value=2**64)
finite = st.floats(allow_nan=False, allow_infinity=False)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)

everything = st.builds(
    Everything,
    user=small_ints,
    code=st.from_regex(r"[A-Z]{2,4}", fullmatch=True),
    ratio=st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True),
    even=small_ints.map(lambda x: x * 2),
    mode=st.sampled_from(["a", "b", 3]),
    color=st.sampled_from(Color),
    uid=st.uuids(),
    when=st.datetimes(timezones=zones),
    day=st.dates(),
    at=st.times(),
    span=st.timedeltas(),
    price=st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    pair=st.tuples(small_ints, st.text()),
    many=st.lists(small_ints, max_size=4).map(tuple),
    unique=st.sets(st.text(max_size=5), max_size=4),
    frozen=st.frozensets(small_ints, max_size=4),
    scores=st.dictionaries(st.text(max_size=5), small_ints, max_size=4),
    point=st.fixed_dictionaries({"x": small_ints, "y": small_ints}, optional={"label": st.text()}),
    either=small_ints | st.text(),
    maybe=st.none() | small_ints,
    or_none=st.none() | st.text(),
    nested=st.lists(st.lists(small_ints, max_size=3), max_size=3),
    flag=st.booleans(),
)

EVERYTHING_SCHEMA = json_schema(Everything)


@SETTINGS
@given(everything)
def test_valid_instances_round_trip(value: Everything) -> None:
    data = dump(Everything, value)
    assert validated_schema(Everything, data) == value
    jsonschema.validate(data, EVERYTHING_SCHEMA, cls=jsonschema.Draft202012Validator)


trees = st.deferred(
    lambda: st.builds(Node, name=st.text(max_size=3), children=st.lists(trees, max_size=3))
)


@SETTINGS
@given(trees)
def test_recursive_round_trip(tree: Node) -> None:
    assert validated_schema(Node, dump(Node, tree)) == tree


json_values = st.recursive(
    st.none() | st.booleans() | small_ints | finite | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def shaped_junk(cls: Any) -> st.SearchStrategy[Any]:
    """Dicts with the real keys of ``cls`` holding junk: reaches every field's checks."""
    import dataclasses

    keys = [f.name for f in dataclasses.fields(cls)]
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


SCHEMAS = [
    Money,
    Everything,
    Task,
    LegacyTask,
    Node,
    Pets,
    Strict,
    Bounded,
    list[Task],
    dict[str, Pets],
]


@SETTINGS
@given(
    st.sampled_from(SCHEMAS),
    json_values | shaped_junk(Everything) | shaped_junk(Task) | shaped_junk(Money),
)
def test_junk_never_crashes(schema: Any, junk: Any) -> None:
    for strict in (True, False):
        for multiple in (True, False):
            result = validate(schema, junk, strict=strict, multiple=multiple)
            assert isinstance(result.errors, list)
            for error in result.errors:
                assert set(error) == {"field", "message"}
                assert isinstance(error["field"], str) and isinstance(error["message"], str)
            assert (result.data is None) == bool(result.errors)
    try:
        validated_schema(schema, junk)
    except ValidationErrors as exc:
        assert exc.errors


def bounded_values() -> st.SearchStrategy[dict[str, Any]]:
    """Valid Bounded payloads at the edges, and the same with one field made invalid
    (a near miss or JSON junk)."""
    valid = st.fixed_dictionaries(
        {
            "count": st.integers(0, 20).map(lambda x: x * 5) | st.just(10.0),
            "ratio": st.floats(min_value=-1, max_value=1, exclude_min=True, exclude_max=True)
            | st.just(0),
            "name": st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True),
            "mode": st.sampled_from(["x", "y", 1, 1.0]),
            "tags": st.lists(st.text(max_size=2), max_size=3),
            "scores": st.dictionaries(st.text(max_size=3), small_ints | st.just(2.0), max_size=3),
            "pair": st.tuples(small_ints, st.booleans()).map(list),
            "either": small_ints | st.text(max_size=3) | st.just(2.0),
        },
        optional={
            "child": st.none()
            | st.fixed_dictionaries(
                {"value": st.integers(-5, 9) | st.just(9.0)}, optional={"note": st.text()}
            ),
            "done": st.booleans(),
        },
    )
    near_misses = {
        "count": st.sampled_from([7, -5, 105, 12.5, True, "5"]),
        "ratio": st.sampled_from([1, -1, 1.0, "0.5", None]),
        "name": st.sampled_from(["", "A", "abcdef", "1a", 3]),
        "mode": st.sampled_from([2, True, "X", None]),
        "tags": st.sampled_from([["a"] * 4, [1], "a"]),
        "scores": st.sampled_from([{"a": 1.5}, {"a": None}, []]),
        "pair": st.sampled_from([[True, 1], [1], [1, True, 2], [1, 1]]),
        "either": st.sampled_from([2.5, None, [], True]),
        "child": st.sampled_from([{"value": 10}, {}, {"value": 1, "note": 2}, 5]),
        "done": st.sampled_from([None, 1, "true"]),
    }
    broken = st.sampled_from(sorted(near_misses)).flatmap(
        lambda key: st.tuples(valid, near_misses[key] | json_values).map(
            lambda t: {**t[0], key: t[1]}
        )
    )
    return valid | broken


BOUNDED = jsonschema.Draft202012Validator(json_schema(Bounded))


@settings(max_examples=400, deadline=None)
@given(bounded_values() | json_values)
def test_schema_and_validator_agree(data: Any) -> None:
    ours = not validate(Bounded, data).errors
    theirs = BOUNDED.is_valid(data)
    assert ours == theirs, (validate(Bounded, data).errors, list(BOUNDED.iter_errors(data)))


def test_agreement_data_is_not_one_sided() -> None:
    """The agreement test sees accepted and rejected payloads alike."""
    seen = {True: 0, False: 0}

    @settings(max_examples=300, deadline=None, database=None)
    @given(bounded_values())
    def count(data: Any) -> None:
        seen[not validate(Bounded, data).errors] += 1

    count()
    assert seen[True] > 50 and seen[False] > 50, seen


legacy_tasks = st.builds(
    LegacyTask,
    title=st.text(max_size=64),
    done=st.none() | st.booleans(),
    severity=st.none() | st.integers(0, 5),
    price=st.none() | st.decimals(min_value=0, max_value=10**6, places=2),
    score=st.none() | st.floats(max_value=10, allow_nan=False, allow_infinity=False),
    kind=st.none() | st.sampled_from(Severity),
    secret=st.none() | st.text(),
    ref=st.none() | st.uuids().map(str),
)
pets = st.builds(
    Pets,
    pets=st.lists(
        st.builds(Cat, kind=st.just("cat"), lives=small_ints)
        | st.builds(Dog, kind=st.just("dog"), good=st.booleans()),
        max_size=4,
    ),
)
LEGACY_SCHEMA = json_schema(LegacyTask)
PETS_SCHEMA = json_schema(Pets)


@SETTINGS
@given(legacy_tasks, pets)
def test_helper_fields_and_unions_round_trip(task: LegacyTask, value: Pets) -> None:
    data = dump(LegacyTask, task)
    assert validated_schema(LegacyTask, data) == task
    jsonschema.validate(data, LEGACY_SCHEMA, cls=jsonschema.Draft202012Validator)
    data = dump(Pets, value)
    assert validated_schema(Pets, data) == value
    jsonschema.validate(data, PETS_SCHEMA, cls=jsonschema.Draft202012Validator)
