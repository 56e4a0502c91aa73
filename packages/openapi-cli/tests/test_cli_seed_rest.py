"""The seed's rest(): its import, its arguments and their meaning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openapi.cli
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from openapi.data import fields
from openapi.rest import rest
from openapi.spec import SPEC_APP_KEY, ApiPath, InvalidSpecError, op, operation_of

AiohttpClient = Callable[..., Any]
Client = TestClient[web.Request, web.Application]


@dataclass
class Thing:
    name: str = fields.str_field(required=True, description="The name")


class ThingsPath(ApiPath):
    """
    ---
    tags:
        - name: Thing
          description: Things
    """

    @op(response_schema=[Thing])
    async def get(self) -> web.Response:
        """
        ---
        summary: List things
        description: Every thing
        responses:
            200:
                description: The things
        """
        return self.json_response(self.dump("response_schema", [Thing("one")]))

    @op(body_schema=[Thing], response_schema=[Thing], response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Add things
        description: Several at once
        responses:
            201:
                description: The things added
        """
        data = self.cleaned("body_schema", await self.json_data())
        return self.json_response(self.dump("response_schema", data), status=201)


class AdminPath(ApiPath):
    """
    ---
    tags:
        - name: Admin
          description: Not for the public document
    """

    @op()
    async def get(self) -> web.Response:
        """
        ---
        summary: Admin
        description: Served, not documented when only Thing is allowed
        responses:
            200:
                description: OK
        """
        return self.json_response({"admin": True})


def add_views(app: web.Application) -> None:
    app.router.add_view("/things", ThingsPath)
    app.router.add_view("/admin", AdminPath)


def test_the_seed_import_is_openapi_cli_rest() -> None:
    assert rest is openapi.cli.rest


def test_a_list_of_one_dataclass_is_list_of_it() -> None:
    assert op(response_schema=[Thing])(ThingsPath.get) is ThingsPath.get
    operation = operation_of(ThingsPath.post)
    assert operation is not None
    assert operation.body_schema == list[Thing]
    assert operation.response_schema == list[Thing]


async def test_the_seed_arguments(aiohttp_client: AiohttpClient) -> None:
    cli = rest(
        openapi={"title": "A REST API", "version": "1.0.0", "contact": {"name": "Ann"}},
        base_path="/v1",
        allowed_tags=["Thing"],
        validate_docs=True,
        setup_app=add_views,
    )
    client: Client = await aiohttp_client(cli.get_serve_app())
    spec = await (await client.get("/v1/spec")).json()
    assert spec["info"] == {"title": "A REST API", "version": "1.0.0", "contact": {"name": "Ann"}}
    assert spec["servers"] == [{"url": "/v1"}]
    # only operations tagged Thing are documented, and only their tags listed
    assert list(spec["paths"]) == ["/things"]
    assert [tag["name"] for tag in spec["tags"]] == ["Thing"]
    things = spec["paths"]["/things"]
    array = {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
    assert things["get"]["responses"]["200"]["content"]["application/json"]["schema"] == array
    assert things["post"]["requestBody"]["content"]["application/json"]["schema"] == array
    # served all the same
    response = await client.get("/v1/admin")
    assert (response.status, await response.json()) == (200, {"admin": True})
    response = await client.get("/v1/things")
    assert await response.json() == [{"name": "one"}]
    response = await client.post("/v1/things", json=[{"name": "a"}, {"name": "b"}])
    assert (response.status, await response.json()) == (201, [{"name": "a"}, {"name": "b"}])
    response = await client.post("/v1/things", json=[{"name": "a"}, {}])
    assert response.status == 422
    assert (await response.json())["errors"] == [{"field": "1.name", "message": "required"}]
    assert (await client.get("/v1/docs")).status in (200, 501)
    assert (await client.get("/things")).status == 404


def test_servers_given_end_with_base_path() -> None:
    cli = rest(base_path="/v1", servers=["https://api.example.com", "https://x.example.com/v1"])
    document = cli.web()[SPEC_APP_KEY].document()
    assert document["servers"] == [
        {"url": "https://api.example.com/v1"},
        {"url": "https://x.example.com/v1"},
    ]


class Undocumented(ApiPath):
    """
    ---
    tags:
        - name: Thing
          description: Things
    """

    @op(response_schema=Thing)
    async def get(self) -> web.Response:
        """
        ---
        summary: Something
        description: Without its responses
        """
        return self.json_response({})


async def test_validate_docs_refuses_to_start(aiohttp_client: AiohttpClient) -> None:
    cli = rest(validate_docs=True, setup_app=lambda app: app.router.add_view("/u", Undocumented))
    with pytest.raises(InvalidSpecError, match="Undocumented.get documents no responses"):
        await aiohttp_client(cli.get_serve_app())
    result = CliRunner().invoke(cli, ["spec"])
    assert result.exit_code == 1
    assert "Undocumented.get documents no responses" in result.output
    assert "Traceback" not in result.output


async def test_the_body_limit_without_private_attributes(aiohttp_client: AiohttpClient) -> None:
    cli = rest(max_body_size=64, setup_app=add_views)
    app = cli.web()
    assert app._client_max_size == 64  # given to web.Application by rest()
    client: Client = await aiohttp_client(app)
    response = await client.post("/things", json=[{"name": "x" * 100}])
    assert response.status == 413


class Misdeclared(ApiPath):
    @op(body_schema=int)
    async def post(self) -> web.Response:
        return self.json_response({})


def test_serve_and_spec_stop_on_a_declaration_mistake(caplog: pytest.LogCaptureFixture) -> None:
    cli = rest(setup_app=lambda app: app.router.add_view("/m", Misdeclared))
    message = "Misdeclared.post: body_schema int is not a dataclass or a list of one"
    result = CliRunner().invoke(cli, ["spec"])
    assert (result.exit_code, message in result.output) == (1, True), result.output
    result = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.1", "--port", "0"])
    assert result.exit_code == 1
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in errors] == [f"the application cannot start: {message}"]
    assert all(r.exc_info is None for r in errors)
