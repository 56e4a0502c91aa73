"""The JSON error middleware and the ApiPath helpers, over a real socket."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi.spec import ApiPath, json_error_middleware, op

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[..., Any]


async def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status
    assert response.content_type == "application/json"
    body: dict[str, Any] = await response.json()
    return body


async def test_unknown_route_is_json_404(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    assert await error_of(await client.get("/nowhere"), 404) == {"message": "Not Found"}


async def test_wrong_method_is_json_405_keeping_allow(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.put("/tasks")
    assert await error_of(response, 405) == {"message": "Method Not Allowed"}
    assert set(response.headers["Allow"].split(",")) == {"GET", "HEAD", "POST"}


async def test_api_error_subclass_maps_to_its_status(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.get("/errors/teapot")
    assert await error_of(response, 418) == {"message": "short and stout"}
    assert response.headers["X-Pot"] == "tea"


async def test_crash_is_json_500_without_traceback(
    aiohttp_client: ClientFactory, task_app: web.Application, caplog: pytest.LogCaptureFixture
) -> None:
    client = await aiohttp_client(task_app)
    with caplog.at_level(logging.ERROR, logger="openapi.spec"):
        response = await client.get("/errors/crash")
        text = await response.text()
    assert await error_of(response, 500) == {"message": "Internal Server Error"}
    assert "secret internals" not in text and "Traceback" not in text
    # the traceback goes to the log, not to the client
    assert any(record.exc_info for record in caplog.records)


async def test_http_exception_and_plain_error_response_become_json(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    assert await error_of(await client.get("/errors/http"), 403) == {"message": "Go away"}
    assert await error_of(await client.get("/errors/plain"), 409) == {"message": "Conflict"}


async def test_validation_error_helper_is_422(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    assert await error_of(await client.get("/errors/invalid"), 422) == {
        "message": "Bad things",
        "errors": [{"field": "a", "message": "wrong"}],
    }


async def test_validation_errors_and_unprocessable_entity_are_422(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    body = await error_of(await client.get("/errors/data"), 422)
    assert body["message"] == "Invalid data"
    assert sorted(error["field"] for error in body["errors"]) == ["severity", "title"]
    assert await error_of(await client.get("/errors/unprocessable"), 422) == {
        "message": "Invalid data",
        "errors": [{"field": "x", "message": "bad x"}],
    }


async def test_body_too_large_is_json_413(
    aiohttp_client: ClientFactory, task_app_factory: Callable[..., web.Application]
) -> None:
    client = await aiohttp_client(task_app_factory(max_body_size=100))
    body = await error_of(await client.post("/tasks", data=b"{" + b" " * 200 + b"}"), 413)
    assert body["message"].startswith("Maximum request body size 100 exceeded")


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"{not json", "Malformed JSON body"),
        (b"", "Malformed JSON body"),
        (b"\xff\xfe", "Malformed JSON body"),
        (b'"\\ud800"', "Malformed JSON body"),
        (b"[1, 2]", "The JSON body must be an object"),
        (b'"text"', "The JSON body must be an object"),
        (b"42", "The JSON body must be an object"),
        (b"null", "The JSON body must be an object"),
    ],
)
async def test_malformed_or_non_object_json_is_400(
    aiohttp_client: ClientFactory, task_app: web.Application, payload: bytes, message: str
) -> None:
    client = await aiohttp_client(task_app)
    body = await error_of(await client.post("/tasks", data=payload), 400)
    assert body == {"message": message}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_body_of_another_media_type_is_415(
    aiohttp_client: ClientFactory, task_app: web.Application, content_type: str
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.post(
        "/tasks", data=b'{"title": "x"}', headers={"Content-Type": content_type}
    )
    assert await error_of(response, 415) == {
        "message": "Unsupported Content-Type: expected application/json"
    }
    # JSON declared with a structured suffix, or not declared at all, is read as JSON
    for declared in ("application/vnd.task+json", None):
        headers = {"Content-Type": declared} if declared else {}
        response = await client.post("/tasks", data=b'{"title": "x"}', headers=headers)
        assert response.status == 201, declared


async def test_list_body_accepts_an_array_only(aiohttp_client: ClientFactory) -> None:
    class BulkPath(ApiPath):
        @op(body_schema=list[int])
        async def post(self) -> web.Response:
            return self.json_response(self.cleaned("body_schema", await self.json_data()))

    # the view raises error types; the middleware answers them
    app = web.Application(middlewares=[json_error_middleware])
    app.router.add_view("/bulk", BulkPath)
    client = await aiohttp_client(app)
    assert await (await client.post("/bulk", json=[1, 2])).json() == [1, 2]
    body = await error_of(await client.post("/bulk", json="x"), 400)
    assert body == {"message": "The JSON body must be an object or an array"}
    body = await error_of(await client.post("/bulk", json=[1, "x"]), 422)
    assert body["errors"][0]["field"] == "1"


async def test_invalid_body_is_422_listing_every_field(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.post("/tasks", json={"title": "x" * 65, "severity": 9})
    body = await error_of(response, 422)
    assert body["message"] == "Invalid data"
    assert sorted(error["field"] for error in body["errors"]) == ["severity", "title"]


async def test_create_get_update_delete(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.post(
        "/tasks", json={"title": "write tests", "tags": ["a"], "owner": {"name": "Ann"}}
    )
    assert response.status == 201
    task = await response.json()
    assert task["title"] == "write tests"
    assert task["owner"] == {"name": "Ann"}  # None values are left out
    url = f"/tasks/{task['id']}"
    assert (await (await client.get(url)).json()) == task
    response = await client.patch(url, json={"done": True})
    assert (await response.json())["done"] is True
    assert (await client.delete(url)).status == 204
    assert await error_of(await client.get(url), 404) == {"message": "Task not found"}


async def test_invalid_path_variable_is_404(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    assert await error_of(await client.get("/tasks/not-a-uuid"), 404) == {"message": "Not Found"}


async def test_filters_repeated_keys_and_ops(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    for title, severity in [("a", 1), ("b", 3), ("c", 5)]:
        response = await client.post("/tasks", json={"title": title, "severity": severity})
        assert response.status == 201

    async def titles(query: list[tuple[str, str]]) -> list[str]:
        response = await client.get("/tasks", params=query)
        assert response.status == 200, await response.text()
        return sorted(task["title"] for task in await response.json())

    assert await titles([]) == ["a", "b", "c"]
    assert await titles([("title", "a"), ("title", "c")]) == ["a", "c"]
    assert await titles([("severity:gt", "1")]) == ["b", "c"]
    assert await titles([("severity:ge", "3"), ("severity:lt", "5")]) == ["b"]
    assert await titles([("limit", "1")]) == ["a"]
    response = await client.get("/tasks", params={"severity:gt": "x", "limit": "0"})
    body = await error_of(response, 422)
    assert sorted(error["field"] for error in body["errors"]) == ["limit", "severity:gt"]


async def test_full_url_honours_forwarded_headers(aiohttp_client: ClientFactory) -> None:
    class UrlPath(ApiPath):
        async def get(self) -> web.Response:
            return self.json_response({"url": str(self.full_url())})

    app = web.Application()
    app.router.add_view("/where", UrlPath)
    client = await aiohttp_client(app)
    response = await client.get(
        "/where?x=1",
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "api.example.com",
            "X-Forwarded-Port": "8443",
        },
    )
    assert await response.json() == {"url": "https://api.example.com:8443/where?x=1"}
    response = await client.get("/where")
    assert (await response.json())["url"] == str(client.make_url("/where"))


async def test_sub_application_mounted_at_base_path(
    aiohttp_client: ClientFactory, task_app_factory: Callable[..., web.Application]
) -> None:
    api = task_app_factory(max_body_size=100, base_path="/v1")
    root = web.Application()  # the root's own limit (1 MiB) must not apply to the API
    root.add_subapp("/v1", api)
    client = await aiohttp_client(root)
    body = await error_of(await client.post("/v1/tasks", data=b"{" + b" " * 200 + b"}"), 413)
    assert body["message"].startswith("Maximum request body size 100 exceeded")
    assert (await client.post("/v1/tasks", json={"title": "small"})).status == 201
    assert await error_of(await client.get("/v1/nowhere"), 404) == {"message": "Not Found"}
    document = await (await client.get("/v1/spec")).json()
    assert list(document["paths"]) == ["/tasks", "/tasks/{id}"]
    assert document["servers"] == [{"url": "/v1"}]
    page = await (await client.get("/v1/docs")).text()
    assert '"url": "spec"' in page  # resolves to /v1/spec in the browser


async def test_helpers_return_converted_values(
    aiohttp_client: ClientFactory, task_models: SimpleNamespace
) -> None:
    query_schema = task_models.TaskQuery

    class EchoPath(ApiPath):
        path_schema = task_models.TaskPathSchema

        @op(query_schema=query_schema)
        async def get(self) -> web.Response:
            assert self.current_op is not None
            assert self.current_op.query_schema is query_schema
            return self.json_response(
                {
                    "filters": self.get_filters(),
                    "with_defaults": self.get_filters({"limit": "7", "title": "x"}),
                    "path": self.path_values(),
                }
            )

    app = web.Application()
    app.router.add_view("/echo/{id}", EchoPath)
    client = await aiohttp_client(app)
    task_id = "2f2b5c39-6b0a-4c5c-9d4e-0b1f7a3d3c11"
    response = await client.get(
        f"/echo/{task_id}", params=[("tag", "a"), ("severity:ge", "2"), ("title", "y")]
    )
    assert response.status == 200, await response.text()
    assert await response.json() == {
        "filters": {"tag": ["a"], "severity:ge": 2, "title": "y", "id": task_id},
        "with_defaults": {
            "tag": ["a"],
            "severity:ge": 2,
            "title": "y",
            "limit": 7,
            "id": task_id,
        },
        "path": {"id": task_id},
    }


async def test_full_url_first_forwarded_value_and_bad_port(aiohttp_client: ClientFactory) -> None:
    class UrlPath(ApiPath):
        async def get(self) -> web.Response:
            return self.json_response({"url": str(self.full_url())})

    app = web.Application()
    app.router.add_view("/where", UrlPath)
    client = await aiohttp_client(app)

    async def url_for(headers: dict[str, str]) -> str:
        response = await client.get("/where", headers=headers)
        return str((await response.json())["url"])

    forwarded = {"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "a.example, b.example"}
    assert await url_for(forwarded) == "https://a.example/where"
    # a port that is not a number is ignored with the other forwarded headers
    assert await url_for({**forwarded, "X-Forwarded-Port": "eighty"}) == str(
        client.make_url("/where")
    )
