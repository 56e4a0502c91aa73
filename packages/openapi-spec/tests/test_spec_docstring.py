from typing import Any

import pytest
from aiohttp import web
from openapi.spec import (
    ApiError,
    ApiPath,
    InvalidSpecError,
    NotFound,
    Operation,
    docstring_spec,
    docstring_yaml,
    op,
    setup,
)
from openapi.spec.operation import operation_of


class Documented:
    """A view.

    Text before the marker is ignored.
    ---
    summary: Tasks
    tags:
        - name: Task
          description: All about tasks
    """

    def get(self) -> None:
        """
        ---
        summary: Retrieve
        responses:
            200:
                description: the tasks
        """


def test_docstring_yaml_reads_after_marker() -> None:
    assert docstring_yaml(Documented) == {
        "summary": "Tasks",
        "tags": [{"name": "Task", "description": "All about tasks"}],
    }
    assert docstring_yaml(Documented.get) == {
        "summary": "Retrieve",
        "responses": {200: {"description": "the tasks"}},
    }


def test_docstring_yaml_without_marker_or_docstring() -> None:
    def plain() -> None:
        """Just text: no YAML here."""

    def bare() -> None:
        pass

    assert docstring_yaml(plain) == {}
    assert docstring_yaml(bare) == {}
    assert docstring_yaml("---\n") == {}


def test_docstring_yaml_errors() -> None:
    with pytest.raises(InvalidSpecError, match="invalid YAML"):
        docstring_yaml("text\n---\nsummary: [unclosed\n")
    with pytest.raises(InvalidSpecError, match="mapping"):
        docstring_yaml("---\n- a\n- b\n")


def test_op_attaches_operation_and_keeps_method() -> None:
    async def get() -> None:
        return None

    decorated = op(response_schema=list[int], response=201)(get)
    assert decorated is get
    assert operation_of(get) == Operation(response_schema=list[int], response=201)
    assert operation_of(lambda: None) is None
    with pytest.raises(AttributeError):
        operation_of(get).response = 200  # type: ignore[union-attr, misc]


def test_api_error_status_and_message() -> None:
    class Unavailable(ApiError):
        status = 503

    assert ApiError().status == 500
    assert ApiError().message == "Internal Server Error"
    assert Unavailable().message == "Service Unavailable"
    assert Unavailable("db down").message == "db down"
    error = NotFound("no task", headers={"X-Reason": "gone"})
    assert (error.status, error.message, error.errors, error.headers) == (
        404,
        "no task",
        None,
        {"X-Reason": "gone"},
    )
    assert ApiError("teapot", status=418).status == 418


class ProsePath(ApiPath):
    """Notes kept by hand

    Every note of the team.
    """

    @op(response_schema=list[str])
    async def get(self) -> web.Response:
        """List the
        notes

        The newest first.

        At most a hundred.
        """
        return self.json_response([])

    @op(response_schema=list[str])
    async def post(self) -> web.Response:
        """
        ---
        summary: YAML as before
        """
        return self.json_response([])


class InheritsProse(ProsePath):
    pass


def test_docstring_spec_reads_prose_without_marker() -> None:
    assert docstring_spec(ProsePath.get) == {
        "summary": "List the notes",
        "description": "The newest first.\n\nAt most a hundred.",
    }
    assert docstring_spec("One line.") == {"summary": "One line."}
    assert docstring_spec(ProsePath.post) == {"summary": "YAML as before"}
    assert docstring_spec(InheritsProse) == {}


async def test_prose_docstrings_in_the_document(aiohttp_client: Any) -> None:
    app = web.Application()
    app.router.add_view("/notes", ProsePath)
    app.router.add_view("/old-notes", InheritsProse)
    setup(app, title="prose", version="1")
    client = await aiohttp_client(app)
    doc = await (await client.get("/spec")).json()
    item = doc["paths"]["/notes"]
    assert (item["summary"], item["description"]) == (
        "Notes kept by hand",
        "Every note of the team.",
    )
    assert item["get"]["summary"] == "List the notes"
    assert item["get"]["description"] == "The newest first.\n\nAt most a hundred."
    assert item["post"]["summary"] == "YAML as before"
    assert "summary" not in doc["paths"]["/old-notes"]
