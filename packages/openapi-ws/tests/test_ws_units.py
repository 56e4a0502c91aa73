"""Event patterns and NOTIFY payload framing, without a server."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openapi.ws.notify_payload import ChunkAssembler, encode_payloads
from openapi.ws.patterns import EventPattern
from openapi.ws.postgres import PostgresBroker, _asyncpg_url


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("*", ["", "a", "a.b"], []),
        ("task.*", ["task.", "task.created", "task.a.b"], ["task", "tasks.x", "xtask.a"]),
        ("*.done", [".done", "a.done", "a.b.done"], ["done", "a.done.x"]),
        ("a*b*c", ["abc", "aXbYc", "abbc"], ["ab", "acb", "abcd"]),
        ("exact", ["exact"], ["exactly", "Exact", ""]),
        ("a.?[x]+(y)", ["a.?[x]+(y)"], ["ab[x]+(y)", "a.x+y"]),
        ("line*", ["line\nbreak"], []),
    ],
)
def test_event_pattern(pattern: str, matches: list[str], misses: list[str]) -> None:
    compiled = EventPattern(pattern)
    for event in matches:
        assert compiled.match(event), event
    for event in misses:
        assert not compiled.match(event), event


@given(
    st.text("ab*", max_size=8).filter(lambda p: "*" in p),
    st.text("ab", max_size=10),
)
def test_glob_agrees_with_a_regular_expression(pattern: str, event: str) -> None:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    assert EventPattern(pattern).match(event) == bool(re.fullmatch(regex, event, re.DOTALL))


def test_pathological_pattern_is_linear() -> None:
    # a backtracking regular expression would not finish this
    pattern = EventPattern("*a" * 60 + "*b")
    assert not pattern.match("a" * 200)
    assert pattern.match("a" * 200 + "b")


def test_small_body_is_one_payload() -> None:
    assert encode_payloads("hello", "id") == ["mhello"]


@given(st.text(min_size=0, max_size=30_000), st.integers(min_value=100, max_value=7999))
def test_chunks_round_trip_within_the_byte_limit(body: str, limit: int) -> None:
    payloads = encode_payloads(body, "abc1", limit)
    assert all(len(p.encode()) <= limit for p in payloads)
    if len(payloads) == 1 and payloads[0].startswith("m"):
        assert payloads[0][1:] == body
        return
    assembler = ChunkAssembler()
    shuffled = payloads[:]
    random.Random(0).shuffle(shuffled)
    results = [assembler.add(p) for p in shuffled]
    assert results[:-1] == [None] * (len(results) - 1)
    assert results[-1] == body
    assert len(assembler) == 0


def test_assembler_rejects_garbage_and_forgets_old_partials() -> None:
    assembler = ChunkAssembler(max_age=0.0)
    for garbage in ("c", "cx:1", "cx:a:2:", "cx:2:2:", "cx:-1:2:"):
        with pytest.raises(ValueError):
            assembler.add(garbage)
    assert assembler.add("cold:0:2:a") is None
    # a new message expires the incomplete one (max_age 0)
    assert assembler.add("cnew:0:2:b") is None
    assert len(assembler) == 1
    assert assembler.add("cold:1:2:c") is None  # its first half is gone
    fresh = ChunkAssembler()
    assert fresh.add("cm:0:2:b") is None
    with pytest.raises(ValueError):
        fresh.add("cm:0:2:b")  # duplicate
    with pytest.raises(ValueError):
        fresh.add("cm:1:3:b")  # inconsistent count
    assert fresh.add("cm:1:2:c") == "bc"


def test_assembler_bounds_pending_data() -> None:
    assembler = ChunkAssembler(max_pending=10)
    assert assembler.add("c1:0:2:" + "x" * 8) is None
    assert assembler.add("c2:0:2:" + "y" * 8) is None
    assert len(assembler) == 1  # the oldest was dropped
    assert assembler.add("c2:1:2:z") == "y" * 8 + "z"


def test_postgres_channel_names() -> None:
    broker = PostgresBroker("postgresql://x", prefix="app:")
    assert broker.pg_channel("tasks") == "app:tasks"
    long_name = "é" * 40
    assert len(broker.pg_channel(long_name).encode()) <= 63
    assert broker.pg_channel(long_name).startswith("app:#")
    assert broker.pg_channel("a\x00b").startswith("app:#")
    assert broker.pg_channel("\ud800").startswith("app:#")
    assert broker.pg_channel("a\x00b") != broker.pg_channel("a\x00c")
    with pytest.raises(ValueError):
        PostgresBroker("postgresql://x", prefix="")


def test_datastore_urls() -> None:
    assert _asyncpg_url("postgresql+asyncpg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    assert _asyncpg_url("postgresql://h/db") == "postgresql://h/db"
    with pytest.raises(RuntimeError):
        _asyncpg_url("")
