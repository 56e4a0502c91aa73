"""The OpenAPI 3.1 document: exact content for representative views, and validity."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from aiohttp import web
from openapi.data import fields
from openapi.spec import ApiPath, InvalidSpecError, SpecRenderer, op, setup
from openapi_spec_validator import validate

ClientFactory = Callable[..., Any]
ERROR_REF = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR_REF = {"$ref": "#/components/schemas/ValidationErrorBody"}


def json_body(ref: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": ref}}


def document_of(*views: tuple[str, type[ApiPath]], **options: Any) -> dict[str, Any]:
    app = web.Application()
    for path, view in views:
        app.router.add_view(path, view)
    options.setdefault("title", "Test")
    options.setdefault("version", "0.1.0")
    renderer = setup(app, **options)
    doc = renderer.document()
    validate(doc)
    return doc


# --- the task application of conftest


def test_task_app_document_is_valid_and_cached(task_app: web.Application) -> None:
    renderer: SpecRenderer = task_app["openapi_spec"]
    doc = renderer.document()
    validate(doc)
    assert renderer.document() is doc
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Task API", "version": "1.0.0"}
    assert "servers" not in doc and "security" not in doc
    assert list(doc["paths"]) == ["/tasks", "/tasks/{id}"]  # private /errors hidden
    assert doc["tags"] == [{"name": "Task", "description": "Everything about tasks"}]
    assert sorted(doc["components"]["schemas"]) == [
        "Error",
        "FieldError",
        "Owner",
        "Task",
        "TaskAdd",
        "TaskUpdate",
        "ValidationErrorBody",
    ]


async def test_spec_route_serves_the_document(
    aiohttp_client: ClientFactory, task_app: web.Application
) -> None:
    client = await aiohttp_client(task_app)
    response = await client.get("/spec")
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == task_app["openapi_spec"].document()


def test_task_list_operation_exact(task_app: web.Application) -> None:
    doc = task_app["openapi_spec"].document()
    severity = {"type": "integer", "minimum": 0, "maximum": 5}
    assert doc["paths"]["/tasks"]["summary"] == "Tasks"
    assert doc["paths"]["/tasks"]["get"] == {
        "tags": ["Task"],
        "summary": "List tasks",
        "description": "Tasks matching every filter given",
        "operationId": "TasksPath.get",
        "x-strict-query": True,
        "parameters": [
            # a URL cannot carry null: nullable field types lose "null" as parameters
            {
                "name": "title",
                "in": "query",
                "description": "Task title",
                "schema": {"type": "string"},
            },
            {
                "name": "severity",
                "in": "query",
                "description": "Task severity",
                "schema": severity,
            },
            *(
                {
                    "name": f"severity:{name}",
                    "in": "query",
                    "description": f"Task severity ({meaning})",
                    "schema": severity,
                }
                for name, meaning in [
                    ("lt", "less than"),
                    ("le", "less than or equal to"),
                    ("gt", "greater than"),
                    ("ge", "greater than or equal to"),
                    ("ne", "not equal to"),
                ]
            ),
            {
                "name": "tag",
                "in": "query",
                "description": "Tasks carrying any of these tags",
                "schema": {"type": "array", "items": {"type": "string"}},
            },
            {
                "name": "limit",
                "in": "query",
                "description": "Maximum number of tasks",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
            },
        ],
        "responses": {
            "200": {
                "description": "The tasks",
                "content": json_body(
                    {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}
                ),
                "headers": {
                    "X-Total-Count": {
                        "description": "Number of tasks matching the filters",
                        "schema": {"type": "integer"},
                    }
                },
            },
            "422": {
                "description": "Invalid data, or an unknown query parameter or operator "
                "(only the listed parameters are accepted)",
                "content": json_body(VALIDATION_ERROR_REF),
            },
        },
    }


def test_task_create_and_item_operations_exact(task_app: web.Application) -> None:
    doc = task_app["openapi_spec"].document()
    assert doc["paths"]["/tasks"]["post"] == {
        "tags": ["Task"],
        "summary": "Create a task",
        "description": "Add a new task",
        "operationId": "TasksPath.post",
        "requestBody": {
            "required": True,
            "content": json_body({"$ref": "#/components/schemas/TaskAdd"}),
        },
        "responses": {
            "201": {
                "description": "The new task",
                "content": json_body({"$ref": "#/components/schemas/Task"}),
            },
            "400": {"description": "Malformed request body", "content": json_body(ERROR_REF)},
            "413": {"description": "The body is too large", "content": json_body(ERROR_REF)},
            "415": {"description": "The body is not JSON", "content": json_body(ERROR_REF)},
            "422": {"description": "Invalid data", "content": json_body(VALIDATION_ERROR_REF)},
        },
    }
    item = doc["paths"]["/tasks/{id}"]
    assert item["parameters"] == [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "Task ID",
            "schema": {"type": "string", "format": "uuid"},
        }
    ]
    # no documented responses: the success response is still there
    assert item["get"]["responses"] == {
        "200": {"description": "OK", "content": json_body({"$ref": "#/components/schemas/Task"})},
        "404": {"description": "Not found", "content": json_body(ERROR_REF)},
    }
    assert item["delete"]["responses"] == {
        "204": {"description": "Deleted"},
        "404": {"description": "Not found", "content": json_body(ERROR_REF)},
    }
    assert [item[m]["operationId"] for m in ("get", "patch", "delete")] == [
        "TaskPath.get",
        "TaskPath.patch",
        "TaskPath.delete",
    ]


def test_error_schemas(task_app: web.Application) -> None:
    schemas = task_app["openapi_spec"].document()["components"]["schemas"]
    assert schemas["Error"] == {
        "type": "object",
        "title": "Error",
        "description": "An error message.",
        "properties": {"message": {"type": "string", "description": "What went wrong"}},
        "required": ["message"],
    }
    assert schemas["ValidationErrorBody"]["required"] == ["message", "errors"]
    assert schemas["ValidationErrorBody"]["properties"]["errors"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/FieldError"},
        "description": "The invalid fields",
    }
    assert schemas["FieldError"]["required"] == ["field", "message"]
    assert schemas["FieldError"]["properties"]["field"]["type"] == "string"


# --- options of setup


class PingPath(ApiPath):
    """
    ---
    tags:
        - name: Health
          description: Is the service alive
    """

    @op()
    async def get(self) -> web.Response:
        """
        ---
        summary: Ping
        description: Always answers
        security: []
        responses:
            200: OK
        """
        return self.json_response({})


class SecuredPath(ApiPath):
    @op(response_schema=list[str])
    async def get(self) -> web.Response:
        return self.json_response([])

    @op()
    async def post(self) -> web.Response:
        """
        ---
        security:
            - token: []
        """
        return self.json_response({})


class UnsecuredPath(ApiPath):
    @op(response_schema=list[str])
    async def get(self) -> web.Response:
        return self.json_response([])


def test_security_servers_and_info() -> None:
    doc = document_of(
        ("/v1/ping", PingPath),
        ("/v1/secured", SecuredPath),
        description="An API",
        info={"contact": {"name": "Ops", "email": "ops@example.com"}},
        security={
            "token": {"type": "http", "scheme": "bearer"},
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "https://example.com/token",
                        "scopes": {"read": "read things"},
                    }
                },
                "scopes": ["read"],
            },
        },
        servers=[
            "https://api.example.com/v1",
            {"url": "http://localhost/v1", "description": "dev"},
        ],
        base_path="/v1",
    )
    assert doc["info"] == {
        "title": "Test",
        "version": "0.1.0",
        "description": "An API",
        "contact": {"name": "Ops", "email": "ops@example.com"},
    }
    assert doc["servers"] == [
        {"url": "https://api.example.com/v1"},
        {"url": "http://localhost/v1", "description": "dev"},
    ]
    assert list(doc["paths"]) == ["/ping", "/secured"]
    assert doc["security"] == [{"oauth": ["read"]}, {"token": []}]
    # under a security requirement (global or its own) an operation can answer 401
    secured = doc["paths"]["/secured"]
    assert list(secured["get"]["responses"]) == ["200", "401"]
    assert secured["get"]["responses"]["401"] == {
        "description": "Unauthorized",
        "content": json_body(ERROR_REF),
    }
    assert secured["post"]["security"] == [{"token": []}]
    assert list(secured["post"]["responses"]) == ["200", "401"]
    assert doc["components"]["securitySchemes"]["token"] == {"type": "http", "scheme": "bearer"}
    assert "scopes" not in doc["components"]["securitySchemes"]["oauth"]
    ping = doc["paths"]["/ping"]["get"]
    assert ping["security"] == []
    assert ping["responses"] == {"200": {"description": "OK"}}
    assert doc["tags"] == [{"name": "Health", "description": "Is the service alive"}]


def test_base_path_without_servers_becomes_the_server() -> None:
    doc = document_of(("/api/ping", PingPath), ("/api/secured", UnsecuredPath), base_path="/api/")
    assert doc["servers"] == [{"url": "/api"}]
    assert list(doc["paths"]) == ["/ping", "/secured"]
    # no security given: no requirement, no 401
    assert "security" not in doc and "securitySchemes" not in doc["components"]
    assert list(doc["paths"]["/secured"]["get"]["responses"]) == ["200"]


def test_a_requirement_naming_an_unknown_scheme_is_a_declaration_mistake() -> None:
    # SecuredPath.post requires "token": without that scheme nothing could enforce it
    with pytest.raises(InvalidSpecError, match="unknown security scheme 'token'"):
        document_of(("/secured", SecuredPath))


# --- docstrings, tags, private, operation ids, headers


@dataclass
class Item:
    """An item."""

    name: str = fields.str_field(required=True, description="Item name")


@dataclass
class ItemQuery:
    __openapi_response_headers__: ClassVar[dict[str, dict[str, Any]]] = {
        "Link": {"description": "Pagination links", "schema": {"type": "string"}},
    }

    offset: int = fields.integer_field(min_value=0, default=0, description="Skip this many")
    secret: str = fields.str_field(hidden=True, description="Not documented")


class ItemsPath(ApiPath):
    """
    ---
    summary: Items
    description: A collection of items
    tags:
        - Item
    x-owner: team-a
    """

    @op(
        query_schema=ItemQuery,
        response_schema=list[Item],
        response_headers={"X-Total-Count": {"schema": {"type": "integer"}, "description": "Total"}},
    )
    async def get(self) -> web.Response:
        """
        ---
        summary: List items
        tags:
            - name: Item
              description: Things
            - Extra
        responses:
            200:
                description: Items
                headers:
                    X-Rate-Limit:
                        description: Requests left
                        schema:
                            type: integer
            403:
                description: Forbidden for you
            default: Something else
        """
        return self.json_response([])

    @op(body_schema=list[Item], response_schema=list[Item], response=201)
    async def post(self) -> web.Response:
        """
        ---
        summary: Add items
        body_content: application/x-ndjson
        deprecated: true
        """
        return self.json_response([], status=201)

    @op()
    async def delete(self) -> web.Response:
        """
        ---
        private: true
        tags:
            - Hidden
        """
        return web.Response(status=204)


class PrivateMethodsPath(ApiPath):
    """
    ---
    tags:
        - name: Internal
          description: Only private operations
    """

    @op()
    async def get(self) -> web.Response:
        """
        ---
        private: true
        """
        return self.json_response({})


class SecretPath(ApiPath):
    """
    ---
    tags:
        - name: Secret
          description: Never shown
    """

    private = True

    @op()
    async def get(self) -> web.Response:
        return self.json_response({})


class OtherItemsPath(ApiPath):
    @op(response_schema=Item)
    async def get(self) -> web.Response:
        """
        ---
        operationId: TasksPath.get
        """
        return self.json_response({})

    async def put(self) -> web.Response:
        return self.json_response({})


class ItemsPath2(ApiPath):
    @op(response_schema=Item)
    async def get(self) -> web.Response:
        """
        ---
        operationId: ItemsPath.get
        """
        return self.json_response({})


def test_docstrings_tags_private_and_headers() -> None:
    doc = document_of(
        ("/items", ItemsPath),
        ("/secret", SecretPath),
        ("/internal", PrivateMethodsPath),
        ("/other/{name}", OtherItemsPath),
        ("/items2", ItemsPath2),
    )
    assert list(doc["paths"]) == ["/items", "/other/{name}", "/items2"]
    items = doc["paths"]["/items"]
    assert items["summary"] == "Items"
    assert items["description"] == "A collection of items"
    assert items["x-owner"] == "team-a"
    assert "delete" not in items
    assert doc["tags"] == [{"name": "Extra"}, {"name": "Item", "description": "Things"}]
    get = items["get"]
    assert get["tags"] == ["Item", "Extra"]
    assert get["parameters"] == [
        {
            "name": "offset",
            "in": "query",
            "description": "Skip this many",
            "schema": get["parameters"][0]["schema"],
        }
    ]
    assert get["responses"]["200"]["headers"] == {
        "Link": {"description": "Pagination links", "schema": {"type": "string"}},
        "X-Total-Count": {"schema": {"type": "integer"}, "description": "Total"},
        "X-Rate-Limit": {"description": "Requests left", "schema": {"type": "integer"}},
    }
    assert get["responses"]["403"] == {
        "description": "Forbidden for you",
        "content": json_body(ERROR_REF),
    }
    assert get["responses"]["default"] == {"description": "Something else"}
    assert list(get["responses"]) == ["200", "403", "422", "default"]
    post = items["post"]
    assert post["deprecated"] is True
    assert post["requestBody"]["content"] == {
        "application/x-ndjson": {
            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
        }
    }
    assert "body_content" not in post
    other = doc["paths"]["/other/{name}"]
    # a template variable without a path schema is a string path parameter
    assert other["parameters"] == [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    # a method without @op is documented with a plain success response
    assert other["put"]["responses"] == {"200": {"description": "OK"}}
    ids = [
        op_["operationId"]
        for path in doc["paths"].values()
        for method, op_ in path.items()
        if method in ("get", "put", "post", "delete")
    ]
    assert ids == [
        "ItemsPath.get",
        "ItemsPath.post",
        "TasksPath.get",
        "OtherItemsPath.put",
        "ItemsPath.get_2",
    ]
    assert len(set(ids)) == len(ids)


def test_same_dataclass_names_get_unique_components() -> None:
    def make_item() -> type:
        @dataclass
        class Item:
            """Another item."""

            size: int = fields.integer_field(required=True, description="Size")

        return Item

    OtherItem = make_item()

    class BothPath(ApiPath):
        @op(body_schema=OtherItem, response_schema=Item)
        async def post(self) -> web.Response:
            return self.json_response({})

    doc = document_of(("/both", BothPath))
    post = doc["paths"]["/both"]["post"]
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    response_ref = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref != response_ref
    schemas = doc["components"]["schemas"]
    names = {ref.rsplit("/", 1)[1] for ref in (body_ref, response_ref)}
    assert names <= set(schemas)
    assert {"size", "name"} == {prop for name in names for prop in schemas[name]["properties"]}


def test_application_error_dataclass_does_not_take_the_shared_name() -> None:
    @dataclass
    class Error:
        """An application error record."""

        code: int = fields.integer_field(required=True, description="Code")

    class ErrorsPath(ApiPath):
        @op(response_schema=list[Error])
        async def get(self) -> web.Response:
            return self.json_response([])

    doc = document_of(("/errors", ErrorsPath))
    schema = doc["paths"]["/errors"]["get"]["responses"]["200"]["content"]["application/json"]
    ref = schema["schema"]["items"]["$ref"]
    assert ref != "#/components/schemas/Error"
    schemas = doc["components"]["schemas"]
    assert set(schemas[ref.rsplit("/", 1)[1]]["properties"]) == {"code"}
    assert set(schemas["Error"]["properties"]) == {"message"}


def test_validate_docs_requires_documentation() -> None:
    class Undocumented(ApiPath):
        """
        ---
        tags:
            - name: Thing
              description: Things
        """

        @op()
        async def get(self) -> web.Response:
            """
            ---
            summary: Only a summary
            """
            return self.json_response({})

    app = web.Application()
    app.router.add_view("/things", Undocumented)
    renderer = setup(app, title="T", version="1", validate_docs=True)
    with pytest.raises(InvalidSpecError, match="Undocumented.get has no description"):
        renderer.document()
    app = web.Application()
    app.router.add_view("/ping", PingPath)
    renderer = setup(app, title="T", version="1", validate_docs=True)
    validate(renderer.document())

    @dataclass
    class Quiet:
        name: str

    class QuietPath(ApiPath):
        """
        ---
        tags:
            - name: Health
              description: Is the service alive
        """

        @op(response_schema=Quiet)
        async def get(self) -> web.Response:
            """
            ---
            summary: Quiet
            description: A response without field descriptions
            responses:
                200: Quiet
            """
            return self.json_response({})

    @dataclass
    class QuietQuery:
        size: int = 0

    class QuietQueryPath(ApiPath):
        """
        ---
        tags:
            - name: Health
              description: Is the service alive
        """

        @op(query_schema=QuietQuery)
        async def get(self) -> web.Response:
            """
            ---
            summary: Quiet
            description: A query without field descriptions
            responses:
                200: Quiet
            """
            return self.json_response({})

    for view, message in [
        (QuietPath, "field Quiet.name has no description"),
        (QuietQueryPath, "query parameter 'size' has no description"),
    ]:
        app = web.Application()
        app.router.add_view("/quiet", view)
        with pytest.raises(InvalidSpecError, match=message):
            setup(app, title="T", version="1", validate_docs=True).document()


def test_validate_docs_skips_views_allowed_tags_leave_out() -> None:
    class Internal(ApiPath):
        @op()
        async def get(self) -> web.Response:
            return self.json_response({})

    doc = document_of(
        ("/ping", PingPath),
        ("/internal", Internal),
        validate_docs=True,
        allowed_tags=["Health"],
    )
    assert list(doc["paths"]) == ["/ping"]
    app = web.Application()
    app.router.add_view("/internal", Internal)
    with pytest.raises(InvalidSpecError, match="Internal docstring has no tags"):
        setup(app, title="T", version="1", validate_docs=True).document()


def test_invalid_docstring_yaml_names_the_path() -> None:
    class Broken(ApiPath):
        @op()
        async def get(self) -> web.Response:
            """
            ---
            summary: [oops
            """
            return self.json_response({})

    app = web.Application()
    app.router.add_view("/broken", Broken)
    with pytest.raises(InvalidSpecError, match="/broken: invalid YAML"):
        setup(app, title="T", version="1").document()


def test_every_field_type_gives_a_valid_document(everything_models: SimpleNamespace) -> None:
    Everything = everything_models.Everything
    doc = document_of(("/everything/{key}", everything_models.EverythingPath))
    schemas = doc["components"]["schemas"]
    assert {"Everything", "Node", "Cat", "Dog", "Error", "ValidationErrorBody"} <= set(schemas)
    assert set(schemas["Everything"]["properties"]) == {
        f.name for f in dataclasses.fields(Everything)
    }
    get = doc["paths"]["/everything/{key}"]["get"]
    assert [p["name"] for p in get["parameters"]] == [
        "text",
        "color",
        "moment",
        "moment:gt",
        "moment:lt",
        "day",
        "day:ge",
        "number",
        "number:le",
        "flag",
        "ids",
    ]
    path_parameter = doc["paths"]["/everything/{key}"]["parameters"][0]
    assert path_parameter["name"] == "key" and path_parameter["required"] is True
    # every $ref points to a component
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    refs.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas
    assert "$defs" not in str(doc)
