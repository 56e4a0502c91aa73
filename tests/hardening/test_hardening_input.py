"""Bad input against the example: every answer is a 4xx JSON error and, when a request
fails, the database is unchanged (rows counted before and after)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

Client = TestClient[Any, Any]

SQL_LOOKING = [
    "'; DROP TABLE tasks; --",
    "1 OR 1=1",
    "x' OR 'x'='x",
    '"; DELETE FROM tasks WHERE "1"="1',
    "%' UNION SELECT * FROM pg_user --",
    "\\'; TRUNCATE events; --",
    "_%",
]


async def count(client: Client, path: str = "/tasks") -> int:
    response = await client.get(path, params={"limit": 1})
    assert response.status == 200, await response.text()
    return int(response.headers["X-Total-Count"])


async def seed(client: Client, n: int = 3) -> list[dict[str, Any]]:
    tasks = []
    for i in range(n):
        response = await client.post("/tasks", json={"title": f"seed {i}", "severity": i})
        assert response.status == 201
        tasks.append(await response.json())
    return tasks


async def assert_json_error(response: Any, *statuses: int) -> dict[str, Any]:
    text = await response.text()
    assert response.status in statuses, (response.status, text[:500])
    assert response.content_type == "application/json", text[:500]
    body: dict[str, Any] = json.loads(text)
    assert isinstance(body.get("message"), str) and body["message"]
    assert "Traceback" not in text
    return body


async def rejected_without_change(
    client: Client, method: str, path: str, statuses: tuple[int, ...], **kwargs: Any
) -> dict[str, Any]:
    before = await count(client)
    response = await client.request(method, path, **kwargs)
    body = await assert_json_error(response, *statuses)
    assert await count(client) == before
    return body


BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("malformed", b'{"title": "x"', "application/json"),
    ("trailing garbage", b'{"title": "x"} {}', "application/json"),
    ("empty", b"", "application/json"),
    ("not an object", b'["title", "x"]', "application/json"),
    ("a string", b'"title"', "application/json"),
    ("null", b"null", "application/json"),
    ("invalid utf-8", b'{"title": "\xff\xfe\xfa"}', "application/json"),
    ("utf-16", '{"title": "x"}'.encode("utf-16"), "application/json"),
    ("NaN", b'{"title": "x", "story_points": NaN}', "application/json"),
    ("Infinity", b'{"title": "x", "story_points": Infinity}', "application/json"),
    ("deeply nested", b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
    (
        "deep objects",
        b'{"title": "x", "type": ' + b'{"a":' * 20_000 + b"1" + b"}" * 20_001,
        "application/json",
    ),
    ("form encoded", b"title=x", "application/x-www-form-urlencoded"),
    ("plain text", b'{"title": "x"}', "text/plain"),
    ("xml", b"<task><title>x</title></task>", "application/xml"),
    (
        "multipart",
        b"--b\r\nContent-Disposition: form-data; name=title\r\n\r\nx\r\n--b--\r\n",
        "multipart/form-data; boundary=b",
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "content_type"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
async def test_bad_bodies_are_4xx_json_and_write_nothing(
    client: Client, name: str, body: bytes, content_type: str
) -> None:
    await seed(client, 1)
    await rejected_without_change(
        client, "POST", "/tasks", (400, 415, 422), data=body, headers={"Content-Type": content_type}
    )


BAD_TASKS: list[Any] = [
    {},
    {"title": ""},
    {"title": "x" * 65},
    {"title": "x" * 1_000_000},
    {"title": "nul \x00 byte"},
    {"title": None},
    {"title": 12},
    {"title": ["x"]},
    {"title": {"x": 1}},
    {"title": True},
    {"title": "x", "done": "maybe"},
    {"title": "x", "done": 2},
    {"title": "x", "severity": 6},
    {"title": "x", "severity": -1},
    {"title": "x", "severity": 10**40},
    {"title": "x", "severity": 1e308},
    {"title": "x", "severity": "1; DROP TABLE tasks"},
    {"title": "x", "severity": 2.5},
    {"title": "x", "type": "bug"},
    {"title": "x", "type": "'; DROP TABLE tasks; --"},
    {"title": "x", "story_points": 10**30},
    {"title": "x", "story_points": "1e100000000"},
    {"title": "x", "story_points": -1},
    {"title": "x", "story_points": "NaN"},
    {"title": "x", "story_points": "abc"},
]


@pytest.mark.parametrize("payload", BAD_TASKS, ids=[str(i) for i in range(len(BAD_TASKS))])
async def test_invalid_tasks_are_422_and_write_nothing(client: Client, payload: Any) -> None:
    await seed(client, 1)
    body = await rejected_without_change(client, "POST", "/tasks", (422,), json=payload)
    assert body["errors"] and all("field" in e and e["message"] for e in body["errors"])


async def test_invalid_updates_change_nothing(client: Client) -> None:
    (task,) = await seed(client, 1)
    for payload in ({"title": ""}, {"severity": 99}, {"title": "a\x00b"}, {"done": "x"}, [1]):
        response = await client.patch(f"/tasks/{task['id']}", json=payload)
        await assert_json_error(response, 400, 422)
    response = await client.patch(f"/tasks/{task['id']}", data=b"{oops")
    await assert_json_error(response, 400)
    response = await client.get(f"/tasks/{task['id']}")
    assert await response.json() == task


BAD_QUERIES: list[dict[str, str]] = [
    {"order_by": "password"},
    {"order_by": "id; DROP TABLE tasks"},
    {"order_by": "-"},
    {"order_by": "title,created"},
    {"limit": "-1"},
    {"limit": "0"},
    {"limit": "1e9"},
    {"limit": "abc"},
    {"offset": "-5"},
    {"offset": str(2**64)},
    {"offset": "9" * 5000},
    {"severity": "high"},
    {"severity:gt": str(2**70)},
    {"severity:ne": "1375704029718"},
    {"severity:le": "-99999"},
    {"severity:gt": "1 OR 1=1"},
    {"done": "perhaps"},
    {"type": "'; DROP TABLE tasks; --"},
    {"title": "nul\x00"},
    {"search": "nul\x00"},
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=[str(i) for i in range(len(BAD_QUERIES))])
async def test_bad_queries_are_422(client: Client, query: dict[str, str]) -> None:
    await seed(client, 2)
    body = await rejected_without_change(client, "GET", "/tasks", (422,), params=query)
    fields = {error["field"] for error in body["errors"]}
    assert fields & {key.partition(":")[0] for key in query} | set(query), body


async def test_bad_filters_on_delete_delete_nothing(client: Client) -> None:
    await seed(client, 3)
    for query in ({"severity:ne": str(2**40)}, {"done": "x"}, {"type": "' OR 1=1 --"}):
        await rejected_without_change(client, "DELETE", "/tasks", (422,), params=query)


@pytest.mark.parametrize("text", SQL_LOOKING)
async def test_sql_looking_filters_and_search_are_plain_text(client: Client, text: str) -> None:
    tasks = await seed(client, 3)
    response = await client.post("/tasks", json={"title": text[:64]})
    assert response.status == 201
    stored = await response.json()
    assert stored["title"] == text[:64]
    for params in ({"title": text[:64]}, {"search": text}):
        response = await client.get("/tasks", params=params)
        assert response.status == 200
        found = await response.json()
        assert [t["id"] for t in found] == [stored["id"]]
    # a title filter or search matching nothing deletes nothing
    response = await client.delete("/tasks", params={"title": text + " nothing"})
    assert response.status == 204
    assert await count(client) == len(tasks) + 1


async def test_bad_path_variables_and_methods(client: Client) -> None:
    await seed(client, 1)
    for path in ("/tasks/not-a-uuid", "/tasks/1%20OR%201=1", "/tasks/" + "f" * 5000, "/tasks/%00"):
        response = await client.get(path)
        await assert_json_error(response, 404, 414, 400)
        response = await client.delete(path)
        await assert_json_error(response, 404, 414, 400)
    before = await count(client)
    response = await client.put("/tasks", json={"title": "x"})
    await assert_json_error(response, 405)
    assert await count(client) == before


async def test_huge_numbers_in_json_are_422_not_500(client: Client) -> None:
    await seed(client, 1)
    for raw in (b"1" * 5000, b"1e999999", b"-1e999999", b"123456789" * 500 + b".5"):
        await rejected_without_change(
            client,
            "POST",
            "/tasks",
            (400, 422),
            data=b'{"title": "x", "severity": ' + raw + b"}",
            headers={"Content-Type": "application/json"},
        )
    await rejected_without_change(
        client,
        "POST",
        "/events",
        (400, 422),
        data=b'{"name": "x", "score": ' + b"9" * 100 + b"}",
        headers={"Content-Type": "application/json"},
    )


async def test_missing_or_wrong_api_key_is_401_json(client: Client) -> None:
    await seed(client, 1)
    before = await count(client)
    for key in ("", "wrong", "secret2", "s" * 4000, "secre"):
        response = await client.post("/tasks", json={"title": "x"}, headers={"X-Api-Key": key})
        await assert_json_error(response, 400, 401)
    assert await count(client) == before


TYPOS = [
    {"titel": "zzz"},
    {"colour": "red"},
    {"severity:zz": "1"},
    {"title:gt": "a"},
    {"password": "x' OR 1=1"},
    {"done": "true", "typo": "1"},
]


async def all_tasks(client: Client) -> list[dict[str, Any]]:
    response = await client.get("/tasks", params={"order_by": "title"})
    assert response.status == 200, await response.text()
    tasks: list[dict[str, Any]] = await response.json()
    return tasks


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH"])
async def test_unknown_query_keys_and_operators_change_nothing(client: Client, method: str) -> None:
    await seed(client, 3)
    before = await all_tasks(client)
    for params in TYPOS:
        body = {"done": True} if method == "PATCH" else None
        response = await client.request(method, "/tasks", params=params, json=body)
        error = await assert_json_error(response, 422)
        unknown = [key for key in params if key not in ("done",)]
        assert [e["field"] for e in error["errors"]] == unknown, error
        assert await count(client) == 3
    assert await all_tasks(client) == before


@pytest.mark.parametrize("method", ["DELETE", "PATCH"])
async def test_a_collection_change_without_filter_is_refused(client: Client, method: str) -> None:
    await seed(client, 3)
    before = await all_tasks(client)
    body = {"done": True} if method == "PATCH" else None
    response = await client.request(method, "/tasks", json=body)
    error = await assert_json_error(response, 422)
    action = method.lower().replace("patch", "update")
    assert error["message"] == (
        f"Refusing to {action} every row: select the rows with at least one of: "
        "title, done, type, severity"
    )
    assert await all_tasks(client) == before
    # with a filter the change goes through, on the selected rows only
    response = await client.request(method, "/tasks", params={"severity:ge": "1"}, json=body)
    assert response.status in (200, 204), await response.text()
    after = await all_tasks(client)
    if method == "DELETE":
        assert [t["title"] for t in after] == ["seed 0"]
    else:
        assert [t["done"] for t in after] == [False, True, True]
        assert [t["title"] for t in await response.json()] == ["seed 1", "seed 2"]


async def test_a_view_allowing_all_rows_deletes_them(client: Client) -> None:
    for name in ("a", "b", "c"):
        assert (await client.post("/events", json={"name": name})).status == 201
    assert (await client.delete("/events", params={"name": "a"})).status == 204
    response = await client.get("/events")
    assert sorted(e["name"] for e in await response.json()) == ["b", "c"]
    response = await client.delete("/events", params={"nmae": "b"})
    await assert_json_error(response, 422)
    assert len(await (await client.get("/events")).json()) == 2
    assert (await client.delete("/events")).status == 204
    assert await (await client.get("/events")).json() == []


async def test_offsets_up_to_the_documented_maximum_are_served(client: Client) -> None:
    await seed(client, 2)
    for offset in (2**31, 2**40, 2**63 - 1):
        for extra in ({}, {"search": "seed"}, {"severity:ge": "0", "order_by": "-severity"}):
            response = await client.get("/tasks", params={"offset": offset, **extra})
            assert response.status == 200, await response.text()
            assert await response.json() == []
            assert response.headers["X-Total-Count"] == "2"
