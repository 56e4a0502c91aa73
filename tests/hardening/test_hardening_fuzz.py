"""Hypothesis-generated bodies and query strings for every body and query schema of the
example (read from its OpenAPI document), sent to `openapi-cli serve`: never a 5xx, always
JSON, and a failed request leaves both tables as they were."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import never_ends

HEADERS = {"X-Api-Key": "secret"}
EXAMPLES = 60

TEXT = st.text(max_size=80) | st.sampled_from(
    ["", "\x00", "' OR 1=1 --", "NULL", "null", "-1", "1e999", "x" * 5000, "☃\U0001f600", "%_\\"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def document(served_example: str) -> dict[str, Any]:
    response = requests.get(f"{served_example}/spec", timeout=10)
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


@pytest.fixture(scope="module")
def rows(example_db_url: str) -> Iterator[Any]:
    """rows() -> (tasks, events) counted in the database itself."""
    runner = asyncio.Runner()
    conn = runner.run(asyncpg.connect(example_db_url.replace("+asyncpg", "")))

    def count() -> tuple[int, int]:
        tasks = runner.run(conn.fetchval("SELECT count(*) FROM tasks"))
        events = runner.run(conn.fetchval("SELECT count(*) FROM events"))
        return int(tasks), int(events)

    try:
        yield count
    finally:
        # the example's other tests start from empty tables
        runner.run(conn.execute("TRUNCATE tasks, events RESTART IDENTITY CASCADE"))
        runner.run(conn.close())
        runner.close()


def operations(document: dict[str, Any], kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or never_ends(operation):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if kind == "body" and "application/json" in content:  # forms: test_hardening_forms
                ref = content["application/json"]["schema"]["$ref"]
                schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
                found.append((method, path, schema))
            if kind == "query" and any(p["in"] == "query" for p in operation.get("parameters", ())):
                names = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
                found.append((method, path, {"names": names}))
    return found


def fill_path(served_example: str, path: str) -> str:
    if "{id}" not in path:
        return served_example + path
    response = requests.post(
        f"{served_example}/tasks", json={"title": "fuzz target"}, headers=HEADERS, timeout=10
    )
    assert response.status_code == 201
    return served_example + path.replace("{id}", response.json()["id"])


def check_answer(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code != 204:
        media_type = response.headers["Content-Type"]
        if response.status_code < 300 and media_type.startswith("application/x-ndjson"):
            # a stream of rows (the task export): one JSON document a line
            for line in response.text.splitlines():
                json.loads(line)
            return
        assert media_type.startswith("application/json"), response.text
        body = response.json()
        if response.status_code >= 400:
            assert isinstance(body["message"], str) and body["message"]


def bodies(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Objects mixing the schema's property names and others with any JSON values."""
    names = st.sampled_from(sorted(schema.get("properties", {})) + ["id", "created", "x"])
    return (
        st.dictionaries(names, JSON_VALUES, max_size=6)
        | st.dictionaries(TEXT, JSON_VALUES, max_size=3)
        | JSON_VALUES
    )


def test_fuzzed_bodies(served_example: str, document: dict[str, Any], rows: Any) -> None:
    targets = operations(document, "body")
    assert {(m, p) for m, p, _ in targets} >= {
        ("post", "/tasks"),
        ("patch", "/tasks/{id}"),
        ("post", "/events"),
    }
    for method, path, schema in targets:
        fuzz_body(method, fill_path(served_example, path), schema, rows)


def fuzz_body(method: str, url: str, schema: dict[str, Any], rows: Any) -> None:
    @given(body=bodies(schema))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def send(body: Any) -> None:
        before = rows()
        response = requests.request(
            method,
            url,
            data=json.dumps(body, allow_nan=False),
            headers={**HEADERS, "Content-Type": "application/json"},
            timeout=10,
        )
        check_answer(response)
        if response.status_code >= 400:
            assert rows() == before, (method, url, body, response.text)

    send()


def queries(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    keys = st.sampled_from(names) | TEXT.filter(lambda k: "\x00" not in k)
    values = TEXT | st.integers().map(str) | st.sampled_from(["true", "0", "NULL", "-title"])
    return st.lists(st.tuples(keys, values.filter(lambda v: "\x00" not in v)), max_size=6)


def test_fuzzed_query_strings(served_example: str, document: dict[str, Any], rows: Any) -> None:
    targets = operations(document, "query")
    assert {(m, p) for m, p, _ in targets} >= {
        ("get", "/tasks"),
        ("delete", "/tasks"),
        ("get", "/events"),
    }
    for method, path, spec in targets:
        fuzz_query(served_example, method, served_example + path, spec["names"], rows)


def fuzz_query(served_example: str, method: str, url: str, names: list[str], rows: Any) -> None:
    @given(query=queries(names))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def send(query: list[tuple[str, str]]) -> None:
        if method == "delete":
            requests.post(
                f"{served_example}/tasks", json={"title": "victim"}, headers=HEADERS, timeout=10
            )
        prepared = requests.Request(method, url, params=query).prepare()
        # past aiohttp's 8 KiB request line the parser answers before the app (see
        # test_hardening_limits): the application's answers are what is fuzzed here
        assume(len(prepared.url or "") < 8000)
        before = rows()
        response = requests.request(method, url, params=query, headers=HEADERS, timeout=10)
        check_answer(response)
        if response.status_code >= 400 or method == "get":
            assert rows() == before, (method, url, query, response.text)

    send()
