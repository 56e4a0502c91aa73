"""Examples of fields and of operations: in the JSON Schema and the OpenAPI document,
checked when the application starts (a wrong one stops it with a clear message)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openapi.data import fields
from openapi.data.json_schema import InvalidExample, json_schema
from openapi.spec import ApiPath, InvalidSpecError, op, setup


@dataclass
class Pet:
    """A pet."""

    name: str = fields.str_field(required=True, max_length=10, examples=["Rex", "Tom"])
    age: int = fields.integer_field(min_value=0, max_value=30, examples=[3])
    born: str = fields.date_field(examples=["2020-02-29"])


@dataclass
class BadPet:
    age: int = fields.integer_field(max_value=30, examples=[3, 99])


class PetsPath(ApiPath):
    @op(
        body_schema=Pet,
        response_schema=Pet,
        response=201,
        body_examples={"minimal": {"name": "Rex"}, "full": {"name": "Tom", "age": 2}},
        response_examples={"created": {"name": "Rex", "age": 3}},
    )
    async def post(self) -> web.Response:
        return self.json_response(self.insert_data(await self.body_data()), status=201)


def test_field_examples_in_the_json_schema() -> None:
    props = json_schema(Pet)["$defs"]["Pet"]["properties"]
    assert props["name"]["examples"] == ["Rex", "Tom"]
    assert props["age"]["examples"] == [3]
    with pytest.raises(InvalidExample, match=r"BadPet\.age: the example 99 is invalid"):
        json_schema(BadPet)
    with pytest.raises(TypeError):
        fields.str_field(examples="Rex")


async def test_operation_examples_in_the_document(aiohttp_client: Any) -> None:
    app = web.Application()
    app.router.add_view("/pets", PetsPath)
    setup(app, title="pets", version="1")
    client = await aiohttp_client(app)
    doc = await (await client.get("/spec")).json()
    post = doc["paths"]["/pets"]["post"]
    assert post["requestBody"]["content"]["application/json"]["examples"] == {
        "minimal": {"value": {"name": "Rex"}},
        "full": {"value": {"name": "Tom", "age": 2}},
    }
    created = post["responses"]["201"]["content"]["application/json"]
    assert created["examples"] == {"created": {"value": {"name": "Rex", "age": 3}}}
    assert doc["components"]["schemas"]["Pet"]["properties"]["born"]["examples"] == ["2020-02-29"]
    # the documented example is a request the API accepts
    full = post["requestBody"]["content"]["application/json"]["examples"]["full"]["value"]
    response = await client.post("/pets", json=full)
    assert response.status == 201


def app_with(view: type[ApiPath]) -> web.Application:
    app = web.Application()
    app.router.add_view("/things", view)
    setup(app, title="things", version="1")
    return app


class WrongBody(ApiPath):
    @op(body_schema=Pet, body_examples={"too old": {"name": "Rex", "age": 31}})
    async def post(self) -> web.Response:
        return web.json_response({})


class WrongResponse(ApiPath):
    @op(response_schema=list[Pet], response_examples={"nameless": [{"age": 1}]})
    async def get(self) -> web.Response:
        return web.json_response([])


class WrongField(ApiPath):
    @op(body_schema=BadPet)
    async def post(self) -> web.Response:
        return web.json_response({})


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (WrongBody, "/things: the body example 'too old' is invalid: age: "),
        (WrongResponse, "/things: the response example 'nameless' is invalid: 0.name: required"),
        (WrongField, "WrongField.post: body_schema BadPet: BadPet.age: the example 99 is invalid"),
    ],
)
async def test_a_wrong_example_stops_the_start(view: type[ApiPath], message: str) -> None:
    server = TestServer(app_with(view))
    with pytest.raises(InvalidSpecError) as info:
        await server.start_server()
    await server.close()
    assert str(info.value).startswith(message), str(info.value)
