"""Filters, search, ordering and both paginations of the example, walked to the end."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from yarl import URL

Client = TestClient[Any, Any]


async def seed(client: Client) -> list[dict[str, Any]]:
    rows = [
        {"title": "alpha", "severity": 0, "type": "todo"},
        {"title": "beta", "severity": 1, "type": "issue", "done": True},
        {"title": "gamma", "severity": 2, "type": "idea"},
        {"title": "delta 50%_off", "severity": 3, "type": "todo", "done": True},
        {"title": "epsilon", "severity": 4},
        {"title": "zeta", "severity": 5, "type": "issue"},
        {"title": "eta"},
    ]
    created = []
    for row in rows:
        response = await client.post("/tasks", json=row)
        assert response.status == 201, await response.text()
        created.append(await response.json())
    return created


async def titles(client: Client, **params: Any) -> list[str]:
    response = await client.get("/tasks", params=params)
    assert response.status == 200, await response.text()
    return [task["title"] for task in await response.json()]


async def test_equality_and_op_filters(client: Client) -> None:
    await seed(client)
    assert await titles(client, title="gamma") == ["gamma"]
    assert await titles(client, done="true") == ["beta", "delta 50%_off"]
    assert await titles(client, type="issue") == ["beta", "zeta"]
    assert await titles(client, **{"severity:gt": "3"}) == ["epsilon", "zeta"]
    assert await titles(client, **{"severity:le": "1"}) == ["alpha", "beta"]
    assert await titles(client, **{"severity:ge": "2", "severity:lt": "4"}) == [
        "delta 50%_off",
        "gamma",
    ]
    ne = await titles(client, **{"severity:ne": "0"})
    assert "alpha" not in ne and "beta" in ne


async def test_repeated_values_are_any_of(client: Client) -> None:
    await seed(client)
    params = [("title", "alpha"), ("title", "zeta"), ("title", "nothing")]
    response = await client.get("/tasks", params=params)
    assert sorted(t["title"] for t in await response.json()) == ["alpha", "zeta"]


async def test_search_escapes_wildcards(client: Client) -> None:
    await seed(client)
    assert await titles(client, search="ET") == ["beta", "eta", "zeta"]
    assert await titles(client, search="%_") == ["delta 50%_off"]
    assert await titles(client, search="_") == ["delta 50%_off"]


async def test_order_by_declared_fields_only(client: Client) -> None:
    await seed(client)
    response = await client.get("/tasks", params={"order_by": "-severity"})
    severities = [t["severity"] for t in await response.json() if t.get("severity") is not None]
    assert severities == [5, 4, 3, 2, 1, 0]
    response = await client.get("/tasks", params={"order_by": "id"})
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["order_by"]


async def test_bad_filter_values_are_422(client: Client) -> None:
    response = await client.get("/tasks", params={"severity:gt": "high"})
    assert response.status == 422
    body = await response.json()
    assert body["errors"][0]["field"] == "severity:gt"
    response = await client.get("/tasks", params={"limit": "0"})
    assert response.status == 422


async def test_offset_pagination_walks_every_row_once(client: Client) -> None:
    created = await seed(client)
    seen: list[str] = []
    url: URL | None = client.make_url("/tasks").with_query(limit=3, order_by="title")
    pages = 0
    while url is not None:
        response = await client.session.get(url)
        assert response.status == 200
        assert response.headers["X-Total-Count"] == str(len(created))
        seen.extend(t["id"] for t in await response.json())
        pages += 1
        next_link = response.links.get("next")
        url = URL(str(next_link["url"])) if next_link else None
        assert pages <= 10
    assert pages == 3
    assert sorted(seen) == sorted(t["id"] for t in created)
    assert len(seen) == len(set(seen))


async def test_cursor_pagination_walks_every_row_once(client: Client) -> None:
    scores = [5, 3, 5, 1, 3, 3, 0, 5, 2, 2, 4]
    created = []
    for n, score in enumerate(scores):
        response = await client.post("/events", json={"name": f"e{n}", "score": score})
        assert response.status == 201
        created.append(await response.json())
    seen: list[dict[str, Any]] = []
    url: URL | None = client.make_url("/events").with_query(limit=4)
    pages = 0
    while url is not None:
        response = await client.session.get(url)
        assert response.status == 200, await response.text()
        seen.extend(await response.json())
        pages += 1
        next_link = response.links.get("next")
        url = URL(str(next_link["url"])) if next_link else None
        assert pages <= 10
    assert pages == 3
    assert sorted(e["id"] for e in seen) == sorted(e["id"] for e in created)
    assert [e["score"] for e in seen] == sorted(scores, reverse=True)
    # ties on score are broken by id, ascending
    for a, b in zip(seen, seen[1:], strict=False):
        if a["score"] == b["score"]:
            assert a["id"] < b["id"]


async def test_tampered_cursor_is_422(client: Client) -> None:
    response = await client.get("/events", params={"cursor": "not-a-real-cursor"})
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "cursor"


async def test_repeated_page_keys_are_422(client: Client) -> None:
    for key, values in (
        ("limit", ("5", "6")),
        ("offset", ("1", "2")),
        ("order_by", ("title", "-title")),
        ("search", ("a", "b")),
    ):
        response = await client.get("/tasks", params=[(key, v) for v in values])
        assert response.status == 422, key
        assert (await response.json())["errors"][0]["field"] == key
    for key, values in (("limit", ("5", "6")), ("direction", ("asc", "desc"))):
        response = await client.get("/events", params=[(key, v) for v in values])
        assert response.status == 422, key
        assert (await response.json())["errors"][0]["field"] == key
